import type { Db } from "@regulars/db";
import { stableId } from "@regulars/ids";
import type { CreatedTenant } from "@regulars/tenancy";
import { testTenant } from "@regulars/testing";
import { beforeAll, describe, expect, it } from "vitest";
import { throttledGateway } from "./throttle-fixture.ts";

/**
 * While a key is over its unknown-coupon-code limit its sales with codes are refused, but not a paid sale whose
 * codes its checkout hold reserved (the hold was placed under the same throttle), and not a retry of a sale
 * stored before, which is answered as any repeat is: `duplicate`, or `idempotency_conflict` for another body.
 */
const fixture = throttledGateway();
const { clock, unknownCodeLimit, post, sale, lastSeq, keyIdOf } = fixture;
let db: Db;
let tenant: CreatedTenant;
let other: CreatedTenant;
beforeAll(async () => {
  db = fixture.db;
  tenant = await testTenant(db, "Held Codes Kiosk");
  other = await testTenant(db, "Held Codes Other");
});

/** The key over its limit as the ledger leaves it: the limit's unknown codes counted 15 s ago. */
async function overTheLimit(tenantId: string, role: "pos" | "kiosk") {
  const credentialId = await keyIdOf(tenantId, role);
  const started = new Date(clock.now.getTime() - 15_000);
  await db.$executeRaw`
    INSERT INTO coupon_code_misses (tenant_id, credential_id, window_started_at, misses)
    VALUES (${tenantId}, ${credentialId}, ${started}, ${unknownCodeLimit.limit})
    ON CONFLICT (tenant_id, credential_id) DO UPDATE SET window_started_at = ${started}, misses = ${unknownCodeLimit.limit}`;
}

/** A sale at the kiosk, whose key posts channel kiosk only (its holds here are the kiosk's). */
const kioskSale: typeof sale = (codes, overrides = {}) => sale(codes, { channel: "kiosk", ...overrides });

let holds = 0;
/**
 * A guest's checkout hold whose quote applied `codes`, as `placeHold` stores one (the quote's coupons by their codes):
 * the sales here name no customer, and only a guest's hold goes with any sale.
 */
async function holdOf(tenantId: string, codes: string[], status = "held", transactionId: string | null = null) {
  const id = `hld_codes_${Date.now().toString(36)}_${++holds}`;
  const quote = { applied: codes.map((ref) => ({ source: "coupon", ref, discount: 100 })), lines: [], total: 0 };
  await db.$executeRaw`
    INSERT INTO checkout_holds (id, tenant_id, customer_id, status, quote, location_id, channel, expires_at, transaction_id)
    VALUES (${id}, ${tenantId}, NULL, ${status}, ${JSON.stringify(quote)}::jsonb, 'store-017', 'kiosk',
            ${new Date(clock.now.getTime() + 600_000)}, ${transactionId})`;
  return id;
}

describe("sales with coupon codes while the key is over its unknown-code limit", () => {
  it("are accepted when their hold reserved every code, refused with one code more or another tenant's hold", async () => {
    await overTheLimit(tenant.tenantId, "kiosk");
    const kiosk = tenant.apiKeys.kiosk;
    const holdId = await holdOf(tenant.tenantId, ["FRIES-10", "SUMMER-5"]);
    const before = await lastSeq();

    // Compared as the ledger compares them: case and surrounding spaces do not matter.
    const paid = await post("/v1/transactions", kiosk, kioskSale(["fries-10 ", "SUMMER-5"], { holdId }));
    expect(paid).toMatchObject({ status: 202, body: { status: "accepted", duplicate: false } });

    // A hold pays for one sale: each of the others names a hold of its own.
    const extraHold = await holdOf(tenant.tenantId, ["FRIES-10", "SUMMER-5"]);
    const extra = await post("/v1/transactions", kiosk, kioskSale(["FRIES-10", "GUESS-1AB"], { holdId: extraHold }));
    expect(extra).toMatchObject({ status: 429, retryAfter: "45", body: { code: "rate_limited" } });
    const noHold = await post("/v1/transactions", kiosk, kioskSale(["FRIES-10"]));
    expect(noHold).toMatchObject({ status: 429, body: { code: "rate_limited" } });

    // Another tenant's hold, or one voided since, reserves nothing: the sale is refused for it (`hold_ended`) before
    // its codes are looked at; one committed by another sale is that sale's (`hold_used`).
    const othersHold = await holdOf(other.tenantId, ["FRIES-10"]);
    const foreign = await post("/v1/transactions", kiosk, kioskSale(["FRIES-10"], { holdId: othersHold }));
    expect(foreign).toMatchObject({ status: 409, body: { code: "hold_ended" } });
    const voided = await holdOf(tenant.tenantId, ["FRIES-10"], "released");
    expect(await post("/v1/transactions", kiosk, kioskSale(["FRIES-10"], { holdId: voided }))).toMatchObject({
      status: 409,
      body: { code: "hold_ended" },
    });
    const usedElsewhere = await holdOf(tenant.tenantId, ["FRIES-10"], "committed", "txn_some_other_sale");
    expect(await post("/v1/transactions", kiosk, kioskSale(["FRIES-10"], { holdId: usedElsewhere }))).toMatchObject({
      status: 409,
      body: { code: "hold_used" },
    });
    // Committed by this very sale (the ledger applied it, its 202 was lost): its codes are still its own.
    const retried = kioskSale(["FRIES-10"]);
    const committed = await holdOf(
      tenant.tenantId,
      ["FRIES-10"],
      "committed",
      stableId("transaction", tenant.tenantId, retried.externalId),
    );
    expect((await post("/v1/transactions", kiosk, { ...retried, holdId: committed })).status).toBe(202);

    const batch = await post("/v1/transactions/batch", kiosk, {
      transactions: [
        kioskSale(["SUMMER-5"], { holdId: await holdOf(tenant.tenantId, ["FRIES-10", "SUMMER-5"]) }),
        kioskSale(["SUMMER-5", "GUESS-2AB"], { holdId: await holdOf(tenant.tenantId, ["FRIES-10", "SUMMER-5"]) }),
        kioskSale(["FRIES-10"], { holdId: othersHold }),
        kioskSale([]),
      ],
    });
    expect(batch).toMatchObject({
      status: 202,
      retryAfter: "45",
      body: {
        accepted: 2,
        throttled: 1,
        invalid: 1,
        results: [
          { index: 0, status: "accepted" },
          { index: 1, status: "throttled", error: { code: "rate_limited" } },
          { index: 2, status: "invalid", error: { code: "hold_ended" } },
          { index: 3, status: "accepted" },
        ],
      },
    });
    // Stored: the paid sale, the retry of the committed one, and the batch's two accepted.
    expect((await lastSeq()) - before).toBe(4);
  });

  it("answer a retry of a sale stored before as a duplicate, another body under its externalId as a conflict", async () => {
    const till = tenant.apiKeys.pos;
    const first = sale(["GUESS-3AB"]);
    const second = sale(["GUESS-4AB"]);
    expect((await post("/v1/transactions", till, first)).status).toBe(202);
    const batched = await post("/v1/transactions/batch", till, { transactions: [second] });
    expect(batched.body.accepted).toBe(1);
    await overTheLimit(tenant.tenantId, "pos");
    const before = await lastSeq();

    const retry = await post("/v1/transactions", till, first);
    expect(retry).toMatchObject({
      status: 202,
      body: { externalId: first.externalId, status: "accepted", duplicate: true },
    });
    const changed = await post("/v1/transactions", till, { ...first, couponCodes: ["GUESS-5AB"] });
    expect(changed).toMatchObject({ status: 409, body: { code: "idempotency_conflict" } });
    expect((await post("/v1/transactions", till, sale(["GUESS-6AB"]))).status).toBe(429);

    const batch = await post("/v1/transactions/batch", till, {
      transactions: [second, { ...first, couponCodes: ["GUESS-7AB"] }, sale(["GUESS-8AB"])],
    });
    expect(batch).toMatchObject({
      status: 202,
      retryAfter: "45",
      body: {
        accepted: 0,
        duplicates: 1,
        invalid: 1,
        throttled: 1,
        results: [
          { index: 0, status: "duplicate", id: stableId("transaction", tenant.tenantId, second.externalId) },
          { index: 1, status: "invalid", error: { code: "idempotency_conflict" } },
          { index: 2, status: "throttled", error: { code: "rate_limited" } },
        ],
      },
    });
    // Nothing was stored for any of them.
    expect(await lastSeq()).toBe(before);
  });
});
