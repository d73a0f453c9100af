import type { ApiKeyRole } from "@regulars/contracts";
import type { Db } from "@regulars/db";
import type { CreatedTenant } from "@regulars/tenancy";
import { saleBody, testTenant } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postJson, startGateway, stopGateway, type TestBus, type TestGateway } from "./gateway-fixture.ts";

/**
 * Earning rules may pay on some channels only (an app-only bonus), so the key bounds a sale's `channel`: a kiosk, a
 * device anyone stands at, posts `kiosk` sales only, or a key lifted from it could pass sales off as the app's; a pos
 * key, a till's or an ordering integration's, posts the channels it takes orders from (`pos`, `app`, `web`,
 * `delivery`), never `kiosk`. A real bus and database.
 */
let db: Db;
let bus: TestBus;
let tenant: CreatedTenant;
let gateway: TestGateway;

beforeAll(async () => {
  // The channel is judged after the sale's look-up: a wide bound keeps a busy machine's slow look-up from answering 503.
  ({ db, bus, gateway } = await startGateway({ recordedLookupMs: 10_000 }));
  tenant = await testTenant(db, "Channel Roles");
});
afterAll(() => stopGateway({ gateway, bus, db }));

const post = (role: ApiKeyRole, path: string, body: unknown) => postJson(gateway, tenant.apiKeys[role], path, body);
const storedMessages = async () => (await bus.jsm.streams.info(bus.topology.streams.transactions)).state.messages;
const storedExternalIds = async () => {
  const { first_seq, last_seq } = (await bus.jsm.streams.info(bus.topology.streams.transactions)).state;
  const ids: string[] = [];
  for (let seq = first_seq; seq <= last_seq; seq++) {
    const message = await bus.jsm.streams.getMessage(bus.topology.streams.transactions, { seq }).catch(() => null);
    if (message) ids.push(message.json<any>().transaction.externalId);
  }
  return ids;
};

const customer = { phone: "+48600100200" };

describe("POST /v1/transactions", () => {
  it("refuses a kiosk key's sale of another channel, naming the field, and stores nothing", async () => {
    const before = await storedMessages();
    expect(await post("kiosk", "/v1/transactions", saleBody({ channel: "app", customer }))).toEqual({
      status: 403,
      body: {
        code: "channel_not_allowed",
        message: "a kiosk key posts transactions of channel kiosk only, not app",
        issues: [{ path: "channel", message: "must be kiosk for a kiosk key" }],
        requestId: expect.any(String),
      },
    });
    expect(await post("kiosk", "/v1/transactions", saleBody({ channel: "pos", customer }))).toMatchObject({
      status: 403,
      body: { code: "channel_not_allowed" },
    });
    expect(await post("pos", "/v1/transactions", saleBody({ channel: "kiosk", customer }))).toMatchObject({
      status: 403,
      body: {
        code: "channel_not_allowed",
        message: "a pos key posts transactions of channel pos or app or web or delivery only, not kiosk",
      },
    });
    expect(await storedMessages()).toBe(before);
  });

  it("accepts a kiosk's own sales, and a till's or an ordering integration's of the channels it takes", async () => {
    const atKiosk = saleBody({ channel: "kiosk", customer });
    expect(await post("kiosk", "/v1/transactions", atKiosk)).toMatchObject({ status: 202, body: { duplicate: false } });
    for (const channel of ["pos", "app", "web", "delivery"] as const) {
      const sale = saleBody({ channel, customer });
      expect(await post("pos", "/v1/transactions", sale)).toMatchObject({
        status: 202,
        body: { externalId: sale.externalId, status: "accepted", duplicate: false },
      });
    }
  });

  it("answers a retry of a stored sale as the repeat it is, whichever key sends it, and a changed one as refused", async () => {
    // As a till retrying a sale stored before its key's channels were bounded: its 202 may have been lost, and it
    // must hear duplicate, never that its stored sale is refused now.
    const atKiosk = saleBody({ channel: "kiosk", customer });
    expect((await post("kiosk", "/v1/transactions", atKiosk)).status).toBe(202);
    const before = await storedMessages();
    expect(await post("pos", "/v1/transactions", atKiosk)).toMatchObject({ status: 202, body: { duplicate: true } });
    expect(await post("pos", "/v1/transactions", saleBody({ channel: "kiosk", customer }))).toMatchObject({
      status: 403,
      body: { code: "channel_not_allowed" },
    });
    expect(await storedMessages()).toBe(before);
  });
});

describe("POST /v1/transactions/batch", () => {
  it("refuses the one sale of a channel the key may not post, with the reason, and stores the others", async () => {
    const first = saleBody({ channel: "pos", customer });
    const asKiosk = saleBody({ channel: "kiosk", customer });
    const last = saleBody({ channel: "pos", customer });
    const answer = await post("pos", "/v1/transactions/batch", { transactions: [first, asKiosk, last] });
    expect(answer).toMatchObject({ status: 202, body: { accepted: 2, duplicates: 0, invalid: 1, throttled: 0 } });
    expect(answer.body.results).toEqual([
      { index: 0, externalId: first.externalId, status: "accepted", id: expect.any(String) },
      {
        index: 1,
        externalId: asKiosk.externalId,
        status: "invalid",
        error: {
          code: "channel_not_allowed",
          message: "a pos key posts transactions of channel pos or app or web or delivery only, not kiosk",
          issues: [{ path: "channel", message: "must be pos or app or web or delivery for a pos key" }],
        },
      },
      { index: 2, externalId: last.externalId, status: "accepted", id: expect.any(String) },
    ]);
    const stored = await storedExternalIds();
    expect(stored).toEqual(expect.arrayContaining([first.externalId, last.externalId]));
    expect(stored).not.toContain(asKiosk.externalId);
  });
});
