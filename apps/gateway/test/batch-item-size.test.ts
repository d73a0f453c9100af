import type { Db } from "@regulars/db";
import { httpDefaults } from "@regulars/http-guards";
import type { CreatedTenant } from "@regulars/tenancy";
import { saleBody, testBus, testDb, testTenant } from "@regulars/testing";
import { Registry } from "prom-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createGatewayApp, type GatewayDeps } from "../src/app.ts";
import { largestBodyFor } from "../src/payload-budget.ts";
import { gatewayDeps, stopGateway, type TestBus, type TestGateway } from "./gateway-fixture.ts";

/**
 * A batch's body may be 16 times the single POST's limit, but each of its transactions is held to that limit: what
 * is stored for one, its events and its dead letters must fit under NATS' max_payload. A real bus and database.
 */
let db: Db;
let bus: TestBus;
let tenant: CreatedTenant;
let deps: GatewayDeps;
let gateway: TestGateway;

beforeAll(async () => {
  db = testDb();
  bus = await testBus();
  tenant = await testTenant(db, "Long Receipts");
  deps = gatewayDeps(db, bus);
  gateway = createGatewayApp(deps);
});
afterAll(() => stopGateway({ gateway, bus, db }));

const postBatch = async (transactions: unknown[]) => {
  const text = JSON.stringify({ transactions });
  const res = await gateway.request("/v1/transactions/batch", {
    method: "POST",
    headers: {
      authorization: `Bearer ${tenant.apiKeys.pos}`,
      "content-type": "application/json",
      "content-length": String(Buffer.byteLength(text)),
    },
    body: text,
  });
  return { status: res.status, body: (await res.json()) as any };
};
const storedMessages = async () => (await bus.jsm.streams.info(bus.topology.streams.transactions)).state.messages;
const jsonBytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value));

/** A valid sale of 500 lines, each with long names and tags in `letter` (a two-byte letter makes it twice as large). */
const longReceipt = (letter: string) =>
  saleBody({
    customer: { phone: "+48600100200" },
    lines: Array.from({ length: 500 }, (_, i) => ({
      sku: `SKU-${i}`,
      name: letter.repeat(200),
      category: letter.repeat(64),
      tags: Array.from({ length: 20 }, (_, k) => letter.repeat(39) + String.fromCharCode(65 + k)),
      quantity: 1,
      unitPrice: 100,
      discount: 0,
    })),
  });

describe("each transaction of a batch is held to the single POST's limit", () => {
  it("refuses one over NATS' max_payload, and one under it but over the limit, on their own; the others are stored", async () => {
    const maxPayload = bus.nc.info!.max_payload;
    const overPayload = longReceipt("é");
    const overLimit = longReceipt("e");
    expect(jsonBytes(overPayload)).toBeGreaterThan(maxPayload);
    expect(jsonBytes(overLimit)).toBeGreaterThan(httpDefaults.maxBodyBytes);
    expect(jsonBytes(overLimit)).toBeLessThan(maxPayload - 64 * 1024); // storable: it was accepted before
    const backlog = [saleBody(), overPayload, overLimit, saleBody()];

    const refused = (index: number, externalId: string) => ({
      index,
      externalId,
      status: "invalid",
      error: {
        code: "payload_too_large",
        message: expect.stringMatching(
          new RegExp(`more than the ${httpDefaults.maxBodyBytes} one transaction may carry`),
        ),
        issues: [
          { path: "(transaction)", message: expect.stringMatching(/must be at most \d+ bytes as JSON, not \d+/) },
        ],
      },
    });
    const first = await postBatch(backlog);
    expect(first.status).toBe(202);
    expect(first.body).toMatchObject({ accepted: 2, duplicates: 0, invalid: 2 });
    expect(first.body.results[1]).toEqual(refused(1, overPayload.externalId));
    expect(first.body.results[2]).toEqual(refused(2, overLimit.externalId));
    expect(await storedMessages()).toBe(2);

    // The till sends its backlog again: it clears, it is not 503 forever.
    const again = await postBatch(backlog);
    expect(again).toMatchObject({ status: 202, body: { accepted: 0, duplicates: 2, invalid: 2 } });
    expect(await storedMessages()).toBe(2);
  });

  it("stores a batch of transactions each within the limit, however large the batch", async () => {
    const withinLimit = saleBody({
      lines: Array.from({ length: 100 }, (_, i) => ({
        sku: `SKU-${i}`,
        name: "n".repeat(200),
        tags: [],
        quantity: 1,
        unitPrice: 1,
        discount: 0,
      })),
    });
    const batch = Array.from({ length: 20 }, () => ({ ...withinLimit, externalId: saleBody().externalId }));
    expect(jsonBytes({ transactions: batch })).toBeGreaterThan(httpDefaults.maxBodyBytes);
    expect(await postBatch(batch)).toMatchObject({ status: 202, body: { accepted: 20, invalid: 0 } });
  });
});

describe("the body limit must fit the NATS server's max_payload", () => {
  it("refuses at start a limit whose transactions NATS could not carry, naming both and the largest that fits", () => {
    const maxPayload = bus.nc.info!.max_payload;
    const largest = largestBodyFor(maxPayload);
    expect(largest).toBeGreaterThanOrEqual(httpDefaults.maxBodyBytes);
    const start = (maxBodyBytes: number) => createGatewayApp({ ...deps, registry: new Registry(), maxBodyBytes });
    expect(() => start(maxPayload)).toThrow(
      new RegExp(
        `MAX_BODY_BYTES ${maxPayload} is too large for the NATS server's max_payload of ${maxPayload} bytes.*at most ${largest}`,
      ),
    );
    expect(() => start(largest + 1)).toThrow(/MAX_BODY_BYTES/);
    expect(() => start(largest).stop()).not.toThrow();
  });
});
