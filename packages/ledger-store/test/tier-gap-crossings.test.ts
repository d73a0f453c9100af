import type { RawTx, TransactionRunner } from "@regulars/db";
import { programmeInForce } from "@regulars/programme";
import { describe, expect, it } from "vitest";
import { adjustBalance, applyTransactionBatch, customerBalances, outboxEventsOf } from "../src/index.ts";
import {
  base,
  batchDb,
  bronzeSilverGold,
  ledgerDeps,
  line,
  refundOf,
  tenantWithProgramme,
  txMessage,
} from "./batch-fixtures.ts";

// "Only 20 points to gold" through the ledger's batch apply over real Postgres: the crossing follows points earned,
// the value the tiers count, never the spendable balance, and is announced once per crossing, only below gold.

const db = batchDb();
const tiers = bronzeSilverGold();

/** A tenant whose running campaign asks for "within 20 of gold" (and a draft one for another band, not tracked). */
async function tenantNearGold(name: string, tierProgramme: object = tiers): Promise<string> {
  const tenantId = await tenantWithProgramme(db, { rules: [base], tiers: tierProgramme }, name);
  const campaign = async (id: string, status: string, within: number) => {
    const trigger = { type: "tier_gap", tierId: "gold", within };
    await db.$executeRaw`
      INSERT INTO campaigns (id, tenant_id, name, status, trigger_type, version, created_by)
      VALUES (${id}, ${tenantId}, ${id}, ${status}, 'tier_gap', 1, 'test')`;
    await db.$executeRaw`
      INSERT INTO campaign_versions (tenant_id, campaign_id, version, definition, created_by)
      VALUES (${tenantId}, ${id}, 1, ${JSON.stringify({ trigger })}::jsonb, 'test')`;
  };
  await campaign(`cmp_near_gold_${tenantId}`, "active", 20);
  await campaign(`cmp_draft_${tenantId}`, "draft", 50);
  return tenantId;
}

const start = Date.now() - 60 * 60_000;
let step = 0;
/** A sale earning `points` (1 point per 1.00), a batch of its own, each a second after the last. */
async function earn(tenantId: string, phone: string, points: number) {
  const sale = txMessage(tenantId, {
    customer: { phone },
    lines: [line("MEAL", points * 100)],
    occurredAt: new Date(start + ++step * 1_000).toISOString(),
  });
  await applyTransactionBatch(ledgerDeps(db), [sale]);
  return sale;
}

async function spend(tenantId: string, phone: string, points: number) {
  const { id } = await db.customer.findFirstOrThrow({ where: { tenantId, phone } });
  const programme = (await programmeInForce(db, tenantId, new Date()))!;
  await adjustBalance(
    db,
    tenantId,
    "admin:test",
    { customerId: id, unit: "points", amount: -points, reason: "spent" },
    programme,
  );
  return id;
}

const gapsOf = async (tenantId: string) =>
  (await outboxEventsOf(db, tenantId, "tier.gap")).map((e) => {
    const p = e.payload as {
      customerId: string;
      tierId: string;
      within: number;
      value: number;
      gap: number;
      crossing: number;
    };
    return [p.customerId, p.tierId, p.within, p.value, p.gap, p.crossing];
  });

describe("tier.gap crossings through the batch apply", () => {
  it("B (earned 480, balance 380) is told once; A (gold by 500 earned, balance later 480) never", async () => {
    const tenantId = await tenantNearGold("Tier Gap");
    const a = "+48600470001";
    const b = "+48600470002";
    await earn(tenantId, a, 400);
    const aId = await spend(tenantId, a, 100);
    await earn(tenantId, a, 100); // 500 earned: gold
    await earn(tenantId, a, 80); // balance 480, already gold
    expect((await db.customerLoyalty.findUniqueOrThrow({ where: { customerId: aId } })).tier).toBe("gold");
    expect((await customerBalances(db, tenantId, aId)).points).toBe(480);

    await earn(tenantId, b, 400);
    const bId = await spend(tenantId, b, 100);
    await earn(tenantId, b, 80); // 480 earned, balance 380
    await earn(tenantId, b, 5); // still in the band: nothing new
    expect((await customerBalances(db, tenantId, bId)).points).toBe(385);
    expect(await gapsOf(tenantId)).toEqual([[bId, "gold", 20, 480, 20, 1]]);
    const rows = await db.tierGapCrossing.findMany({ where: { tenantId } });
    expect(rows.map((r) => [r.customerId, r.tierId, Number(r.within), r.crossing, r.open])).toEqual([
      [bId, "gold", 20, 1, true],
    ]);
  });

  it("a refund taking the value back below the band closes the crossing; the next rise is crossing 2", async () => {
    const tenantId = await tenantNearGold("Tier Gap Refund");
    const phone = "+48600470003";
    const other = "+48600470004";
    await earn(tenantId, phone, 400);
    const rise = await earn(tenantId, phone, 90);
    const { id } = await db.customer.findFirstOrThrow({ where: { tenantId, phone } });
    const at = () => new Date(start + ++step * 1_000).toISOString();
    const refund = refundOf(tenantId, rise, [{ ...line("MEAL", 9_000), lineNo: 0 }], { occurredAt: at() });
    // With another customer's sale in the batch, the tenant's bands are read and the fall is closed at once.
    const sale = txMessage(tenantId, { customer: { phone: other }, lines: [line("MEAL", 1_000)], occurredAt: at() });
    await applyTransactionBatch(ledgerDeps(db), [refund, sale]);
    const closed = await db.tierGapCrossing.findMany({ where: { customerId: id } });
    expect(closed.map((r) => [r.crossing, r.open])).toEqual([[1, false]]);
    await earn(tenantId, phone, 85);
    expect(await gapsOf(tenantId)).toEqual([
      [id, "gold", 20, 490, 10, 1],
      [id, "gold", 20, 485, 15, 2],
    ]);
  });

  it("a batch of refunds alone reads nothing for tier gaps; the next rise closes the crossing it left open", async () => {
    const tenantId = await tenantNearGold("Tier Gap Refund Alone");
    const phone = "+48600470005";
    await earn(tenantId, phone, 400);
    const rise = await earn(tenantId, phone, 90);
    const { id } = await db.customer.findFirstOrThrow({ where: { tenantId, phone } });
    await applyTransactionBatch(ledgerDeps(db), [
      refundOf(tenantId, rise, [{ ...line("MEAL", 9_000), lineNo: 0 }], {
        occurredAt: new Date(start + ++step * 1_000).toISOString(),
      }),
    ]);
    await earn(tenantId, phone, 85);
    const rows = await db.tierGapCrossing.findMany({ where: { customerId: id }, orderBy: { crossing: "asc" } });
    expect(rows.map((r) => [r.crossing, r.open])).toEqual([
      [1, false],
      [2, true],
    ]);
    expect((await gapsOf(tenantId)).map((g) => g[5])).toEqual([1, 2]);
  });

  it("a late sale of last (closed) calendar year announces nothing: only this year's value counts now", async () => {
    const tenantId = await tenantNearGold("Tier Gap Late Year", { ...tiers, window: "calendar_year" });
    const phone = "+48600470006";
    const lastYear = new Date().getUTCFullYear() - 1;
    const december = (day: number) => new Date(`${lastYear}-12-${day}T12:00:00Z`);
    const sale = (points: number, at: Date) =>
      txMessage(tenantId, { customer: { phone }, lines: [line("MEAL", points * 100)], occurredAt: at.toISOString() });
    await applyTransactionBatch(ledgerDeps(db), [sale(470, december(10))]);
    await applyTransactionBatch(ledgerDeps(db), [sale(10, new Date(Date.now() - 60_000))]);
    // Uploaded today, dated 20 December last year: that year would reach 485, in the band, but it is closed.
    await applyTransactionBatch(ledgerDeps(db), [sale(15, december(20))]);
    expect(await gapsOf(tenantId)).toEqual([]);
    expect(await db.tierGapCrossing.findMany({ where: { tenantId } })).toEqual([]);
  });

  it("into the band and past gold in one batch: the customer ends gold and is told nothing", async () => {
    const tenantId = await tenantNearGold("Tier Gap Past Gold");
    const phone = "+48600470007";
    await earn(tenantId, phone, 470);
    const at = () => new Date(start + ++step * 1_000).toISOString();
    const sale = (points: number) =>
      txMessage(tenantId, { customer: { phone }, lines: [line("MEAL", points * 100)], occurredAt: at() });
    await applyTransactionBatch(ledgerDeps(db), [sale(15), sale(40)]);
    const { id } = await db.customer.findFirstOrThrow({ where: { tenantId, phone } });
    expect((await db.customerLoyalty.findUniqueOrThrow({ where: { customerId: id } })).tier).toBe("gold");
    expect(await gapsOf(tenantId)).toEqual([]);
    expect(await db.tierGapCrossing.findMany({ where: { tenantId } })).toEqual([]);
  });

  it("a tenant with tiers and no tier_gap campaign: its bands are read once, not by every batch", async () => {
    const tenantId = await tenantWithProgramme(db, { rules: [base], tiers }, "Tier Gap No Campaign");
    const deps = ledgerDeps(db);
    const at = () => new Date(start + ++step * 1_000).toISOString();
    const bandsRead = async (phone: string) => {
      const sqls: string[] = [];
      const sale = txMessage(tenantId, { customer: { phone }, lines: [line("MEAL", 1_000)], occurredAt: at() });
      await applyTransactionBatch({ ...deps, transactions: recording(deps.transactions, sqls) }, [sale]);
      return sqls.filter((q) => q.includes("tier_gap")).length;
    };
    expect(await bandsRead("+48600470008")).toBe(1);
    // The same worker's next batch of the tenant (within `tierGapBandsTtlMs`) asks nothing more.
    expect(await bandsRead("+48600470009")).toBe(0);
  });
});

/** A runner whose transactions note each statement's SQL text in `sqls`. */
function recording(runner: TransactionRunner, sqls: string[]): TransactionRunner {
  const noted = <F extends (...args: never[]) => unknown>(f: F): F =>
    ((...args: Parameters<F>) => {
      const sql = args[0] as unknown;
      sqls.push(Array.isArray(sql) ? sql.join("?") : String(sql));
      return f(...args);
    }) as F;
  return {
    run: (fn) =>
      runner.run((tx) =>
        fn({
          $queryRaw: noted(tx.$queryRaw),
          $executeRaw: noted(tx.$executeRaw),
          $queryRawUnsafe: noted(tx.$queryRawUnsafe),
          $executeRawUnsafe: noted(tx.$executeRawUnsafe),
        } as RawTx),
      ),
    close: async () => {},
  };
}
