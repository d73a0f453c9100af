import type { Db } from "@regulars/db";
import { stableId } from "@regulars/ids";
import { claimHeldHolds } from "@regulars/ledger-store";
import type { CreatedTenant } from "@regulars/tenancy";
import { saleBody, testTenant } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type AfterHoldsRead,
  applyLastStored,
  baseRateProgramme,
  guestHoldLines,
  holdsReadHook,
  insertGuestHold,
  lastStoredSeq,
  startGateway,
  stopGateway,
  type TestBus,
  type TestGateway,
} from "./gateway-fixture.ts";

/**
 * A checkout hold pays for one sale: the till gave its discounts on the sale that names it, and the ledger commits it
 * with the first sale that claimed it. Another sale naming it (a second till, a second order of one request) would be
 * accepted and processed with those discounts paid for by nothing, and nothing would tell the till. So it is refused
 * with `hold_used` before anything is stored, while the hold is claimed by or committed to another sale; the retry of
 * the sale that has the hold is still its duplicate.
 */
const clock = { now: new Date() };
let db: Db;
let bus: TestBus;
let gateway: TestGateway;
let tenant: CreatedTenant;
/** Another request's sale in between this request's check of its holds and its claim. */
const afterHoldsRead: AfterHoldsRead = { run: null };

beforeAll(async () => {
  ({ db, bus, gateway } = await startGateway((started) => ({
    reader: holdsReadHook(started.db, afterHoldsRead),
    now: () => clock.now,
  })));
  tenant = await testTenant(db, "Hold Used Diner");
  await baseRateProgramme(db, tenant.tenantId);
});
afterAll(() => stopGateway({ gateway, bus, db }));

/** A guest's hold of a free burger, for 15 minutes. */
const guestHold = () => insertGuestHold(db, tenant.tenantId, new Date(clock.now.getTime() + 900_000));

const paying = (holdId: string) => saleBody({ holdId, lines: guestHoldLines, channel: "pos" });

const request = async (path: string, body: unknown) => {
  const res = await gateway.request(path, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${tenant.apiKeys.pos}` },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

const lastSeq = () => lastStoredSeq(bus);

const holdOf = async (holdId: string) =>
  (
    await db.$queryRaw<{ status: string; transaction_id: string | null; claimed_by_external_id: string | null }[]>`
      SELECT status, transaction_id, claimed_by_external_id FROM checkout_holds WHERE id = ${holdId}`
  )[0]!;

describe("a sale naming a hold another sale has", () => {
  it("is refused with hold_used while the other sale's claim holds it, and once the ledger committed it", async () => {
    const holdId = await guestHold();
    const first = paying(holdId);
    expect(await request("/v1/transactions", first)).toMatchObject({ status: 202, body: { duplicate: false } });
    const before = await lastSeq();

    expect(await request("/v1/transactions", paying(holdId))).toMatchObject({
      status: 409,
      body: {
        code: "hold_used",
        message: expect.stringContaining(`hold ${holdId} is claimed by sale ${first.externalId}`),
      },
    });
    expect(await lastSeq()).toBe(before);
    expect((await holdOf(holdId)).claimed_by_external_id).toBe(first.externalId);
    // The till's retry of the sale that claimed it is that sale again.
    expect(await request("/v1/transactions", first)).toMatchObject({ status: 202, body: { duplicate: true } });

    await applyLastStored(db, bus, clock);
    expect(await holdOf(holdId)).toMatchObject({
      status: "committed",
      transaction_id: stableId("transaction", tenant.tenantId, first.externalId),
    });
    expect(await request("/v1/transactions", paying(holdId))).toMatchObject({
      status: 409,
      body: { code: "hold_used", message: expect.stringContaining(`was committed to sale ${first.externalId}`) },
    });
    expect(await lastSeq()).toBe(before);
    expect(await request("/v1/transactions", first)).toMatchObject({ status: 202, body: { duplicate: true } });
  });

  it("is refused in a batch after the earlier sale of the batch naming the same hold, which is accepted", async () => {
    const holdId = await guestHold();
    const [first, second] = [paying(holdId), paying(holdId)];
    expect(await request("/v1/transactions/batch", { transactions: [first, second] })).toMatchObject({
      status: 202,
      body: {
        accepted: 1,
        invalid: 1,
        results: [
          { index: 0, status: "accepted" },
          {
            index: 1,
            status: "invalid",
            error: { code: "hold_used", message: expect.stringContaining(`is claimed by sale ${first.externalId}`) },
          },
        ],
      },
    });
    expect((await holdOf(holdId)).claimed_by_external_id).toBe(first.externalId);
  });

  // Once stored (the ledger then committed nothing of the hold): past its expiry the hold reserves nothing, whoever
  // claimed it, so the sale is refused as hold_ended, not hold_used.
  it("is refused with hold_ended, not hold_used, once the other sale's claim lapsed, not yet swept", async () => {
    const start = clock.now;
    const holdId = await guestHold();
    expect(await request("/v1/transactions", paying(holdId))).toMatchObject({ status: 202 });
    // 15 minutes to the expiry, 15 of grace: the claim reserves nothing any more, and the sweep has not run.
    clock.now = new Date(start.getTime() + 31 * 60_000);
    try {
      const before = await lastSeq();
      const [late, unrelated] = [paying(holdId), saleBody({ customer: { phone: "+48710009911" } })];
      expect(await request("/v1/transactions/batch", { transactions: [late, unrelated] })).toMatchObject({
        status: 202,
        body: { accepted: 1, results: [{ status: "invalid", error: { code: "hold_ended" } }, { status: "accepted" }] },
      });
      expect(await request("/v1/transactions", paying(holdId))).toMatchObject({
        status: 409,
        body: { code: "hold_ended" },
      });
      expect(await lastSeq()).toBe(before + 1);
    } finally {
      clock.now = new Date();
    }
  });

  it("claimed by another request's sale while this batch was checked, refuses that sale alone", async () => {
    const [holdId, otherHoldId] = [await guestHold(), await guestHold()];
    const [sale, unrelated, other] = [
      paying(holdId),
      saleBody({ customer: { phone: "+48710009912" } }),
      paying(otherHoldId),
    ];
    // Another till's sale claims the hold after this request read it, before this request claims it.
    afterHoldsRead.run = () =>
      claimHeldHolds(db, tenant.tenantId, [{ holdId, externalId: "POS2-elsewhere" }], clock.now);
    const before = await lastSeq();
    const answer = await request("/v1/transactions/batch", { transactions: [sale, unrelated, other] });
    expect(answer).toMatchObject({
      status: 202,
      body: {
        accepted: 2,
        invalid: 1,
        results: [
          { index: 0, status: "invalid", error: { code: "hold_used", message: expect.stringContaining(holdId) } },
          { index: 1, status: "accepted" },
          { index: 2, status: "accepted" },
        ],
      },
    });
    expect(await lastSeq()).toBe(before + 2);
    expect((await holdOf(holdId)).claimed_by_external_id).toBe("POS2-elsewhere");
    expect((await holdOf(otherHoldId)).claimed_by_external_id).toBe(other.externalId);
  });
});
