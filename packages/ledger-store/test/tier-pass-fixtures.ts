import { ProgrammeConfig, type TransactionMessage } from "@regulars/contracts";
import type { Db } from "@regulars/db";
import { silentLogger } from "@regulars/logger";
import { programmeInForce } from "@regulars/programme";
import { applyTierDowngrades, applyTransactionBatch } from "../src/index.ts";
import type { JobResult } from "../src/jobs/context.ts";
import { base, ledgerDeps, line, tenantWithProgramme, txMessage } from "./batch-fixtures.ts";

// A tier pass's upgrade as the tests of refunds and merges after it need one: a silver member 50 points short of
// gold, and a version that lowers gold under them.

const dayMs = 86_400_000;

/** Lifetime tiers on points earned: bronze, silver at 200 (10 points on reaching it), gold at `threshold` (100). */
export const goldAt = (threshold: number, rule: Record<string, unknown> = base): ProgrammeConfig =>
  ProgrammeConfig.parse({
    rules: [rule],
    tiers: {
      basis: "points_earned",
      window: "lifetime",
      levels: [
        { id: "bronze", name: "Bronze", threshold: 0 },
        { id: "silver", name: "Silver", threshold: 200, benefits: { rewardPoints: 10 } },
        { id: "gold", name: "Gold", threshold, benefits: { rewardPoints: 100 } },
      ],
    },
  });

/** A new version of the programme with gold at `threshold`, in force from `effectiveFrom`. */
export const lowerGold = (db: Db, tenantId: string, threshold: number, effectiveFrom: Date, version = 3) =>
  db.programmeVersion.create({ data: { tenantId, version, effectiveFrom, config: goldAt(threshold), createdBy: "t" } });

/** The scheduled tier pass (downgrades, then the upgrades of the version in force) as it runs at `at`. */
export async function tierPass(db: Db, tenantId: string, at: Date): Promise<JobResult> {
  const programme = (await programmeInForce(db, tenantId, at))!;
  return applyTierDowngrades({ db, log: silentLogger, tenantId, programme, now: at });
}

/**
 * A tenant with gold at 500 (version 2) whose customer, known by `phone` at the till, earned 450 points two days
 * before `now`: silver (+10), 50 short of gold. The sale is returned for refunds to name.
 */
export async function silverShortOfGold(
  db: Db,
  phone: string,
  tenantName: string,
  now: Date,
): Promise<{ tenantId: string; sale: TransactionMessage; customerId: string }> {
  const tenantId = await tenantWithProgramme(db, goldAt(500), tenantName);
  const sale = txMessage(
    tenantId,
    { customer: { phone }, lines: [line("MENU", 45_000)] },
    new Date(now.getTime() - 2 * dayMs),
  );
  await applyTransactionBatch(ledgerDeps(db), [sale]);
  const customerId = (await db.customer.findFirstOrThrow({ where: { tenantId, phone } })).id;
  return { tenantId, sale, customerId };
}
