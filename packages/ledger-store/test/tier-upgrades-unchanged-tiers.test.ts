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
// below their level by a direct write shows which versions were scanned: only a scan raises them. What grew values
// since that pass without judging a tier is judged still: merges' survivors, and sales dated under older tiers.

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
  return { tenantId, id, pass, version, marks, tier: async () => (await customerStanding(db, id))?.tier };
}

/**
 * A silver survivor (300 points) of a merge at `mergedAt` with another silver customer (250 points): 550 together.
 * Only the merge's row is written (customers-store makes the merge): the ledger's reads of a person's points follow
 * it, and the survivor keeps the tier it held, as a merge keeps the higher of the two.
 */
async function survivorOfMerge(tenantId: string, phones: [string, string], mergedAt: Date) {
  const ids: string[] = [];
  for (const [phone, amount] of [
    [phones[0], 30_000],
    [phones[1], 25_000],
  ] as const) {
    await applyTransactionBatch(ledgerDeps(db), [
      txMessage(tenantId, { customer: { phone }, lines: [line("MENU", amount)] }),
    ]);
    ids.push((await db.customer.findFirstOrThrow({ where: { tenantId, phone } })).id);
  }
  const [into, from] = ids as [string, string];
  await db.customerMerge.create({ data: { mergedId: from, tenantId, intoId: into, mergedAt } });
  expect((await customerStanding(db, into))?.tier).toBe("silver");
  return into;
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

it("a version with the last pass's tiers judges the survivors of merges made since that pass, only them", async () => {
  const now = new Date();
  const member = await goldMemberLeftSilver("+48730009203", now);
  const recent = await survivorOfMerge(member.tenantId, ["+48730009204", "+48730009205"], now);
  // Merged long before the last pass: that pass judged the sum.
  const before = await survivorOfMerge(
    member.tenantId,
    ["+48730009206", "+48730009207"],
    new Date(now.getTime() - 48 * hourMs),
  );

  await member.version(3, 1, goldAt(500, doubled));
  const run = await member.pass();

  expect(raisedBy(run.outbox)).toEqual([{ id: `tier:${recent}:programme:3:gold`, from: "silver", to: "gold" }]);
  expect(await member.tier()).toBe("silver");
  expect((await customerStanding(db, before))?.tier).toBe("silver");
});

it("a version with the last pass's tiers judges everyone while a sale dated under older tiers can arrive", async () => {
  const now = new Date();
  const at = (hoursAgo: number) => new Date(now.getTime() - hoursAgo * hourMs);
  const tenantId = await tenantWithProgramme(db, goldAt(600), "Tier Pass Late Sale");
  const version = (n: number, hoursAgo: number, config: ProgrammeConfig) =>
    db.programmeVersion.create({ data: { tenantId, version: n, effectiveFrom: at(hoursAgo), config, createdBy: "t" } });
  await version(3, 72, goldAt(500));
  expect(await tierPass(db, tenantId, at(48))).toEqual({ acted: 0, outbox: [] });
  // Uploaded after that pass, dated when gold was at 600: 550 points judged silver.
  const phone = "+48730009208";
  const late = txMessage(tenantId, {
    customer: { phone },
    occurredAt: at(96).toISOString(),
    lines: [line("MENU", 55_000)],
  });
  await applyTransactionBatch(ledgerDeps(db), [late]);
  const id = (await db.customer.findFirstOrThrow({ where: { tenantId, phone } })).id;
  expect((await customerStanding(db, id))?.tier).toBe("silver");

  await version(4, 24, goldAt(500, doubled));
  const run = await tierPass(db, tenantId, now);

  expect(raisedBy(run.outbox)).toEqual([{ id: `tier:${id}:programme:4:gold`, from: "silver", to: "gold" }]);
  expect((await customerStanding(db, id))?.tier).toBe("gold");
});
