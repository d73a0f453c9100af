import type { Db } from "@regulars/db";
import type { CreatedTenant } from "@regulars/tenancy";
import { testTenant } from "@regulars/testing";
import { beforeAll, describe, expect, it } from "vitest";
import { throttledGateway } from "./throttle-fixture.ts";

/**
 * A till can learn which coupon codes exist from its sales' statuses as well as from quotes: the gateway reserves
 * a posted sale's unknown codes against its key before storing it (stamping the key and `codesCounted` on the
 * message, so the ledger does not count them again), and then refuses that key's sales with codes (429, or
 * `throttled` in a batch) until the window has passed.
 */
const fixture = throttledGateway();
const { clock, post, sale, lastSeq, keyIdOf, missesOf, applyStoredSince } = fixture;
let db: Db;
let tenant: CreatedTenant;
beforeAll(async () => {
  db = fixture.db;
  tenant = await testTenant(db, "Code Guessing Till");
});

describe("sales posted with coupon codes", () => {
  it("count their unknown codes against the posting key once, when posted, and not again in the ledger", async () => {
    const till = tenant.apiKeys.pos;
    const tillKeyId = await keyIdOf(tenant.tenantId, "pos");
    const before = await lastSeq();
    expect((await post("/v1/transactions", till, sale(["GUESS-1AB", "GUESS-2AB"]))).status).toBe(202);
    const batch = await post("/v1/transactions/batch", till, { transactions: [sale(["GUESS-3AB"]), sale([])] });
    expect(batch).toMatchObject({ status: 202, retryAfter: null, body: { accepted: 2 } });

    expect(await missesOf(tenant.tenantId, tillKeyId)).toBe(3);
    const applied = await applyStoredSince(before);
    expect(applied.map((m) => m.credentialId)).toEqual([tillKeyId, tillKeyId, tillKeyId]);
    expect(await missesOf(tenant.tenantId, tillKeyId)).toBe(3);

    // The same count as the key's quotes: they wait too.
    clock.now = new Date(clock.now.getTime() + 15_000);
    const quote = await post("/v1/checkout/quote", till, {
      basket: { locationId: "store-001", channel: "pos", currency: "EUR", lines: sale([]).lines },
      couponCodes: ["GUESS-5AB"],
    });
    expect(quote).toMatchObject({ status: 429, retryAfter: "45", body: { code: "rate_limited" } });
  });

  it("are refused, alone 429 and in a batch one by one, while the key is over the limit; sales without codes never", async () => {
    const other = await testTenant(db, "Code Guessing Till Two");
    const till = other.apiKeys.pos;
    // What was counted of this key's earlier sales, 15 s ago.
    await db.$executeRaw`
      INSERT INTO coupon_code_misses (tenant_id, credential_id, window_started_at, misses)
      VALUES (${other.tenantId}, ${await keyIdOf(other.tenantId, "pos")}, ${new Date(clock.now.getTime() - 15_000)}, 3)`;
    const before = await lastSeq();

    const refused = await post("/v1/transactions", till, sale(["GUESS-4AB"]));
    expect(refused).toMatchObject({ status: 429, retryAfter: "45", body: { code: "rate_limited" } });
    expect(refused.body.message).toMatch(/unknown coupon codes.*sales without codes are not held up/);

    const mixed = await post("/v1/transactions/batch", till, { transactions: [sale(["GUESS-6AB"]), sale([])] });
    expect(mixed).toMatchObject({
      status: 202,
      retryAfter: "45",
      body: {
        accepted: 1,
        throttled: 1,
        results: [
          { index: 0, status: "throttled", retryAfterSeconds: 45, error: { code: "rate_limited" } },
          { index: 1, status: "accepted" },
        ],
      },
    });
    expect(mixed.body.results[0].id).toBeUndefined();
    expect((await post("/v1/transactions", till, sale([]))).status).toBe(202);
    expect(
      (await post("/v1/transactions", other.apiKeys.kiosk, sale(["GUESS-7AB"], { channel: "kiosk" }))).status,
    ).toBe(202);
    // Stored: the batch's sale without codes, the sale without codes, the kiosk's sale. Nothing refused was.
    expect((await lastSeq()) - before).toBe(3);

    clock.now = new Date(clock.now.getTime() + 45_000);
    expect((await post("/v1/transactions", till, sale(["GUESS-8AB"]))).status).toBe(202);
  });
});
