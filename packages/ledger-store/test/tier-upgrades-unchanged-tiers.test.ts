import type { LoyaltyEvent, ProgrammeConfig } from "@regulars/contracts";
import type { Db } from "@regulars/db";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { applyTransactionBatch, customerStanding } from "../src/index.ts";
import type { OutboxItem } from "../src/outbox.ts";
import { base, ledgerDeps, line, tenantWithProgramme, txMessage } from "./batch-fixtures.ts";
import { goldAt, tierPass } from "./tier-pass-fixtures.ts";

// The tier pass scans every member once per version in force. A version whose tiers qualify members as the last
// handled one did (an earning rule edited) finds nobody to raise, so it is marked without the scan. A member left
// below their level by a direct write shows which versions were scanned: only a scan raises them.

let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

const hourMs = 3_600_000;
const doubled = { ...base, pointsPerUnit: 2 };
const raisedBy = (outbox: OutboxItem[]) =>
  outbox
    .map((i) => i.payload as LoyaltyEvent)
    .flatMap((e) => (e.type === "tier.changed" ? [{ id: e.id, from: e.from, to: e.to }] : []));

/** A gold member (550 points) under gold at 500, version 2's pass run, then put back to silver by hand. */
async function goldMemberLeftSilver(phone: string, now: Date) {
  const tenantId = await tenantWithProgramme(db, goldAt(500), `Tier Pass Unchanged ${phone}`);
  const sale = txMessage(
    tenantId,
    { customer: { phone }, lines: [line("MENU", 55_000)] },
    new Date(now.getTime() - 48 * hourMs),
  );
  await applyTransactionBatch(ledgerDeps(db), [sale]);
  const id = (await db.customer.findFirstOrThrow({ where: { tenantId, phone } })).id;
  expect((await customerStanding(db, id))?.tier).toBe("gold");
  const pass = () => tierPass(db, tenantId, now);
  expect(await pass()).toEqual({ acted: 0, outbox: [] });
  await db.customerLoyalty.update({ where: { customerId: id }, data: { tier: "silver" } });
  const version = (version: number, hoursAgo: number, programme: ProgrammeConfig) =>
    db.programmeVersion.create({
      data: {
        tenantId,
        version,
        effectiveFrom: new Date(now.getTime() - hoursAgo * hourMs),
        config: programme,
        createdBy: "t",
      },
    });
  const marks = async () =>
    (await db.jobMark.findMany({ where: { tenantId, job: "tier-upgrade" }, orderBy: { key: "asc" } })).map(
      (m) => m.key,
    );
  expect(await marks()).toEqual(["v2"]);
  return { id, pass, version, marks, tier: async () => (await customerStanding(db, id))?.tier };
}

it("a version changing only an earning rule is marked unscanned; one lowering gold scans and raises", async () => {
  const now = new Date();
  const member = await goldMemberLeftSilver("+48730009201", now);

  await member.version(3, 24, goldAt(500, doubled));
  expect(await member.pass()).toEqual({ acted: 0, outbox: [] });
  expect(await member.tier()).toBe("silver");
  expect(await member.marks()).toEqual(["v2", "v3"]);

  await member.version(4, 1, goldAt(400, doubled));
  const lowered = await member.pass();
  expect(raisedBy(lowered.outbox)).toEqual([{ id: `tier:${member.id}:programme:4:gold`, from: "silver", to: "gold" }]);
  expect(await member.tier()).toBe("gold");
  expect(await member.marks()).toEqual(["v2", "v3", "v4"]);
});

it("a version with the last pass's tiers still scans when one in force since had other tiers and no pass", async () => {
  const now = new Date();
  const member = await goldMemberLeftSilver("+48730009202", now);

  // Gold at 600 came and went between passes: sales in that time were judged on it.
  await member.version(3, 24, goldAt(600));
  await member.version(4, 1, goldAt(500, doubled));
  const run = await member.pass();
  expect(raisedBy(run.outbox)).toEqual([{ id: `tier:${member.id}:programme:4:gold`, from: "silver", to: "gold" }]);
  expect(await member.tier()).toBe("gold");
});
