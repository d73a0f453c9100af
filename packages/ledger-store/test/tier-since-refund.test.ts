import type { Db } from "@regulars/db";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyTransactionBatch, customerStanding } from "../src/index.ts";
import { ledgerDeps, line, refundOf, tenantWithProgramme } from "./batch-fixtures.ts";
import { day, rollingConfig, runTierJob, sale, Y } from "./rolling-tier-fixtures.ts";

// A refund that takes back the upgrade its sale caused restores the lower tier with the `tier_since` it had before
// the sale (recorded in the sale's effects): the rolling-window downgrade pass then judges the customer as if the
// sale had never happened, instead of keeping the lower tier a fresh 12 months from the refund.

let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

const standing = async (tenantId: string, phone: string) => {
  const { id } = await db.customer.findFirstOrThrow({ where: { tenantId, phone } });
  const s = await customerStanding(db, id);
  return { tier: s?.tier, tierSince: s?.tierSince };
};

describe("a refund that takes back a tier upgrade keeps the lower tier's qualification period", () => {
  it("silver since January, gold by a December sale, refunded: on 1 February silver is judged as without the sale", async () => {
    const tenantId = await tenantWithProgramme(db, rollingConfig, "Tier Since Refund");
    const apply = (m: ReturnType<typeof sale>) => applyTransactionBatch(ledgerDeps(db), [m]);
    const [refunded, control] = ["+48600420001", "+48600420002"];
    const silverSince = day(Y, "01-10T12:00:00+01:00");
    for (const phone of [refunded, control]) await apply(sale(tenantId, phone, 25_000, silverSince)); // 250: silver

    const upgrading = sale(tenantId, refunded, 30_000, day(Y, "12-01T12:00:00+01:00")); // 550 in 12 months: gold
    await apply(upgrading);
    expect((await standing(tenantId, refunded)).tier).toBe("gold");
    const refundedAt = day(Y, "12-02T12:00:00+01:00");
    await apply(
      refundOf(tenantId, upgrading, [{ ...line("MEAL", 30_000), lineNo: 0 }], { occurredAt: refundedAt.toISOString() }),
    );
    // Back to silver, held since January (not since the refund). Soft: what the job makes of it is checked too.
    expect.soft(await standing(tenantId, refunded)).toEqual({ tier: "silver", tierSince: silverSince });

    // 1 February Y+1: the January points have left the window and nothing else is left in it; silver was reached more
    // than 12 months ago, so both customers are judged, and both fall to bronze.
    const judged = await runTierJob(db, tenantId, day(Y + 1, "02-01T09:00:00+01:00"));
    expect(judged.acted).toBe(2);
    expect((await standing(tenantId, refunded)).tier).toBe("bronze");
    expect((await standing(tenantId, control)).tier).toBe("bronze");
  });
});
