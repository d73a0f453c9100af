import { ProgrammeConfig } from "@regulars/contracts";
import type { Db } from "@regulars/db";
import { silentLogger } from "@regulars/logger";
import type { ProgrammeInForce } from "@regulars/programme";
import { applyTierDowngrades } from "../src/index.ts";
import { base, line, txMessage } from "./batch-fixtures.ts";

// The programme and clock the rolling-window tier tests share: bronze, silver at 200 and gold at 500 points earned
// in the last 12 months, in Warsaw, judged on days of years that have ended.

export const WARSAW = "Europe/Warsaw";

/** The programme's config as an admin would set it (for `tenantWithProgramme`). */
export const rollingConfig = {
  rules: [base],
  tiers: {
    basis: "points_earned",
    window: "rolling_12_months",
    levels: [
      { id: "bronze", name: "Bronze", threshold: 0 },
      { id: "silver", name: "Silver", threshold: 200 },
      { id: "gold", name: "Gold", threshold: 500 },
    ],
  },
};

/** The same programme as the downgrade job and tier floors read it. */
export const rolling: ProgrammeInForce = {
  version: 2,
  config: ProgrammeConfig.parse(rollingConfig),
  timezone: WARSAW,
  localZone: WARSAW,
};

// Calendar days of past years (the clock is injected): Y is a year that has ended, whatever today is.
export const Y = new Date().getUTCFullYear() - 3;
export const day = (year: number, monthDayTime: string) => new Date(`${year}-${monthDayTime}`);

/** The rolling-window downgrade job for one tenant, run as if it were `now`. */
export const runTierJob = (db: Db, tenantId: string, now: Date) =>
  applyTierDowngrades({ db, log: silentLogger, tenantId, programme: rolling, now });

/** A till's sale of one meal to the customer known by `phone`, received a minute after it was made. */
export const sale = (tenantId: string, phone: string, total: number, at: Date) =>
  txMessage(
    tenantId,
    { customer: { phone }, lines: [line("MEAL", total)], occurredAt: at.toISOString() },
    new Date(at.getTime() + 60_000),
  );
