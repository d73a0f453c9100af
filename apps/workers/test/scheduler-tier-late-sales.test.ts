import type { Db } from "@regulars/db";
import { applyTransactionBatch, customerStanding } from "@regulars/ledger-store";
import { silentLogger } from "@regulars/logger";
import { ProgrammeCache } from "@regulars/programme";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import {
  base,
  ledgerDeps,
  line,
  tenantWithProgramme,
  txMessage,
} from "../../../packages/ledger-store/test/batch-fixtures.ts";
import { goldAt } from "../../../packages/ledger-store/test/tier-pass-fixtures.ts";
import { runScheduledJobs } from "../src/index.ts";
import { passWhenLeaseFree } from "./scheduled-pass.ts";

// The tier pass judges everyone while a sale dated under older tiers can still arrive, which is as long as the
// gateway accepts late sales: the deployment's OCCURRED_AT_MAX_AGE_DAYS, handed to the scheduler, not the default.

const dayMs = 86_400_000;

let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

it("a deployment accepting sales 100 days old judges a member whose late sale is older than the default 35 days", async () => {
  const now = new Date();
  const daysAgo = (days: number) => new Date(now.getTime() - days * dayMs);
  const tenantId = await tenantWithProgramme(db, goldAt(600), "Tier Pass Long Window");
  const version = (n: number, days: number, config: ReturnType<typeof goldAt>) =>
    db.programmeVersion.create({
      data: { tenantId, version: n, effectiveFrom: daysAgo(days), config, createdBy: "t" },
    });
  const pass = (at: Date) =>
    passWhenLeaseFree(() =>
      runScheduledJobs(
        { db, bus: null as never, log: silentLogger, programmes: new ProgrammeCache(db), occurredAtMaxAgeDays: 100 },
        at,
        { tenantIds: [tenantId] },
      ),
    );
  await version(3, 70, goldAt(500));
  await pass(daysAgo(2));
  // Uploaded after that pass, dated 80 days ago when gold was at 600: 550 points judged silver.
  const phone = "+48730009301";
  const late = txMessage(tenantId, {
    customer: { phone },
    occurredAt: daysAgo(80).toISOString(),
    lines: [line("MENU", 55_000)],
  });
  await applyTransactionBatch(ledgerDeps(db), [late]);
  const id = (await db.customer.findFirstOrThrow({ where: { tenantId, phone } })).id;
  expect((await customerStanding(db, id))?.tier).toBe("silver");

  // Qualifies as version 3 does: only a scan of everyone finds the late sale's member.
  await version(4, 1, goldAt(500, { ...base, pointsPerUnit: 2 }));
  await pass(now);

  expect((await customerStanding(db, id))?.tier).toBe("gold");
});
