import { CouponCampaignConfig } from "@regulars/contracts";
import type { Db } from "@regulars/db";
import { newId } from "@regulars/ids";
import type { CreatedTenant } from "@regulars/tenancy";
import { testTenant } from "@regulars/testing";
import { beforeAll, describe, expect, it } from "vitest";
import { throttledGateway } from "./throttle-fixture.ts";

/**
 * The unknown codes of posted sales are reserved against the posting key at the gateway, before the sales are
 * answered, as a quote's are: a batch of sales, or concurrent posts, cannot try more unknown codes than the limit
 * before the ledger has applied any of them. Codes that exist are never counted, so an upload using them is never
 * held up; and the ledger does not count the reserved codes again.
 */
// The posted codes are read as in production: through the quotes' pg pool.
const fixture = throttledGateway({ windowSeconds: 600, reader: true });
const { unknownCodeLimit, post, sale, lastSeq, missesOf, applyStoredSince } = fixture;
let db: Db;
beforeAll(() => {
  db = fixture.db;
});

const guesses = (i: number) => [`GUESS-${i}A`, `GUESS-${i}B`, `GUESS-${i}C`];

async function posTill(name: string): Promise<{ tenant: CreatedTenant; key: string; keyId: string }> {
  const tenant = await testTenant(db, name);
  const keyId = (await db.apiKey.findFirstOrThrow({ where: { tenantId: tenant.tenantId, role: "pos" } })).id;
  return { tenant, key: tenant.apiKeys.pos, keyId };
}

/** A generic code of an active campaign of the tenant: a code a quote knows. */
async function knownCode(tenantId: string, code: string) {
  const config = CouponCampaignConfig.parse({
    name: code,
    codes: { kind: "generic", code },
    benefit: { kind: "fixed_off", amount: 100 },
  });
  const id = newId("couponCampaign");
  await db.$executeRaw`
    INSERT INTO coupon_campaigns (id, tenant_id, name, status, config)
    VALUES (${id}, ${tenantId}, ${config.name}, 'active', ${JSON.stringify(config)}::jsonb)`;
  await db.$executeRaw`
    INSERT INTO coupon_codes (tenant_id, code, campaign_id, source) VALUES (${tenantId}, ${code}, ${id}, 'generic')`;
}

describe("unknown codes of posted sales, reserved at the gateway", () => {
  it("lets one batch try no more than the limit: the rest of its sales with unknown codes are throttled, in order", async () => {
    const { tenant, key, keyId } = await posTill("Batch Guessing Till");
    const before = await lastSeq();
    const transactions = Array.from({ length: 50 }, (_, i) => sale(guesses(i)));
    const batch = await post("/v1/transactions/batch", key, { transactions });
    expect(batch).toMatchObject({ status: 202, retryAfter: "600", body: { accepted: 1, throttled: 49 } });
    expect(batch.body.results.map((r: { status: string }) => r.status)).toEqual([
      "accepted",
      ...Array(49).fill("throttled"),
    ]);
    expect(await missesOf(tenant.tenantId, keyId)).toBe(3);
    expect((await lastSeq()) - before).toBe(1);

    // The same batch again (its answer lost): the stored sale is a duplicate and counts nothing more.
    const again = await post("/v1/transactions/batch", key, { transactions });
    expect(again.body).toMatchObject({ accepted: 0, duplicates: 1, throttled: 49 });
    expect(await missesOf(tenant.tenantId, keyId)).toBe(3);

    // The ledger tells the stored sale's codes unknown in its status, and does not count them again.
    const [applied] = await applyStoredSince(before);
    expect(applied!.codesCounted).toBe(true);
    expect(await missesOf(tenant.tenantId, keyId)).toBe(3);
  });

  it("never throttles an upload whose codes exist, however many sales carry them", async () => {
    const { tenant, key, keyId } = await posTill("Known Codes Till");
    for (const code of ["REAL-A1", "REAL-B2", "REAL-C3"]) await knownCode(tenant.tenantId, code);
    const transactions = Array.from({ length: 200 }, () => sale(["real-a1", "REAL-B2", "REAL–C3"]));
    const batch = await post("/v1/transactions/batch", key, { transactions });
    expect(batch).toMatchObject({ status: 202, retryAfter: null, body: { accepted: 200, throttled: 0 } });
    expect(await missesOf(tenant.tenantId, keyId)).toBeNull();
    expect((await post("/v1/transactions", key, sale(["REAL-A1", "REAL-B2", "REAL-C3"]))).status).toBe(202);
  });

  it("lets concurrent posts try no more than the limit in unknown codes, refusing the rest", async () => {
    const { tenant, key, keyId } = await posTill("Concurrent Guessing Till");
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) => post("/v1/transactions", key, sale([`TRY-${i}XY`]))),
    );
    const accepted = answers.filter((a) => a.status === 202).length;
    expect(answers.filter((a) => a.status === 429).length).toBe(20 - accepted);
    expect(accepted).toBeGreaterThan(0);
    expect(accepted).toBeLessThanOrEqual(unknownCodeLimit.limit);
    // Refused posts gave their reservations back: only the accepted sales' codes count.
    expect(await missesOf(tenant.tenantId, keyId)).toBe(accepted);
  });

  it("refuses a sale whose codes exist while its key is over the limit, so refusals tell nothing of the codes", async () => {
    const { tenant, key } = await posTill("Probing Till");
    await knownCode(tenant.tenantId, "REAL-D4");
    expect((await post("/v1/transactions", key, sale(guesses(1)))).status).toBe(202);
    const known = await post("/v1/transactions", key, sale(["REAL-D4"]));
    const unknown = await post("/v1/transactions", key, sale(["GUESS-9Z"]));
    expect([known.status, unknown.status]).toEqual([429, 429]);
    expect(known.body.message).toBe(unknown.body.message);
  });
});
