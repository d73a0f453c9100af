import { type ExpiryPolicy, ProgrammeConfig } from "@regulars/contracts";
import { withTransaction } from "@regulars/db";
import { expirePoints, postMovements, sendExpiryNotices } from "@regulars/ledger-store";
import { silentLogger } from "@regulars/logger";
import { ProgrammeCache, programmeInForce } from "@regulars/programme";
import { expect, it } from "vitest";
import { claimDueSteps, enrolFromEvent, runMessageSteps } from "../src/index.ts";
import {
  addCampaign,
  addCustomer,
  DAY,
  enrolmentsOf,
  event,
  HOUR,
  later,
  messagesOf,
  movementsOf,
  recordingQueue,
  runDueSteps,
  runnerDb,
  runnerTenant,
  setStatus,
  stepsOf,
} from "./runner-fixtures.ts";

// A points-expiring reminder is planned when the programme's notice arrives and runs `daysBefore` before the date
// it announced. When it runs it looks again: a purchase since restarted the inactivity clock (SPEC scenario 10), or
// the announced lot was spent, and the step is skipped `no_longer_due` rather than telling the customer their points
// expire in 3 days. Whoever still has the expiry ahead gets the reminder.

const { db, cache } = runnerDb();

const now = new Date();
type Movement = Parameters<typeof postMovements>[1][number];
type Action = Parameters<typeof addCampaign>[2]["actions"][number];
type Delivery = Parameters<typeof addCampaign>[2]["delivery"];

/**
 * A tenant under `expiry` with a `daysBefore` (3 unless given) reminder, and a customer who bought `boughtDaysAgo` days
 * ago and holds 50 points (in a lot expiring at `lotExpiresAt` when given); the notice job has run now and the
 * campaign was enrolled from its notice, as the trigger durable does.
 */
async function reminded(
  expiry: ExpiryPolicy,
  boughtDaysAgo: number,
  lotExpiresAt: Date | null = null,
  followUp: Action[] = [],
  { daysBefore = 3, delivery }: { daysBefore?: number; delivery?: Delivery } = {},
) {
  const { tenantId } = await runnerTenant(db);
  const config = ProgrammeConfig.parse({
    rules: [{ id: "base", type: "base_rate", pointsPerUnit: 1, unitMinor: 100 }],
    expiry,
  });
  await db.programmeVersion.create({
    data: { tenantId, version: 2, effectiveFrom: new Date(0), config, createdBy: "test" },
  });
  const campaignId = await addCampaign(db, tenantId, {
    audience: { kind: "none" },
    trigger: { type: "points_expiring", daysBefore },
    actions: [{ type: "send_message", channel: "email", templateId: "tpl_expiring" }, ...followUp],
    ...(delivery ? { delivery } : {}),
  });
  const boughtAt = later(now, -boughtDaysAgo * DAY);
  const customer = await addCustomer(db, tenantId, { consents: ["email"], lastActivityAt: boughtAt });
  const points = (key: string, amount: number, at: Date): Movement => ({
    tenantId,
    customerId: customer,
    kind: amount > 0 ? "earn" : "redeem",
    unit: "points",
    amount,
    idempotencyKey: key,
    occurredAt: at,
    ...(amount > 0 ? { lot: { availableAt: at, expiresAt: lotExpiresAt } } : {}),
  });
  await withTransaction(db, (tx) => postMovements(tx, [points("bought", 50, boughtAt)]));
  const programme = (await programmeInForce(db, tenantId, now))!;
  const notices = await sendExpiryNotices({ db, log: silentLogger, tenantId, programme, now });
  expect(notices.outbox).toHaveLength(1);
  const notice = event(notices.outbox[0]!.payload as Record<string, unknown>);
  expect(await enrolFromEvent(db, cache, notice, now)).toMatchObject({ entered: 1 });
  const [step] = await stepsOf(db, campaignId);
  const expiresAt = Date.parse((notice as { expiresAt: string }).expiresAt);
  // At a local hour, the reminder goes out at the first one after that.
  if (!delivery) expect(step?.runAt.getTime()).toBe(expiresAt - daysBefore * DAY);
  const spend = (at: Date) => withTransaction(db, (tx) => postMovements(tx, [points("spent", -50, at)]));
  return { tenantId, campaignId, customer, dueAt: step!.runAt, expiresAt: new Date(expiresAt), spend };
}

const inactivity: ExpiryPolicy = { kind: "inactivity", months: 12, noticeDays: 14 };
const afterEarning: ExpiryPolicy = { kind: "after_earning", months: 12, noticeDays: 14 };

it("reminds a customer whose inactivity expiry still stands", async () => {
  const { tenantId, campaignId, dueAt } = await reminded(inactivity, 360);
  expect(await runDueSteps(db, tenantId, later(dueAt, 1000))).toEqual(["done"]);
  expect(await messagesOf(db, tenantId)).toHaveLength(1);
  expect((await enrolmentsOf(db, campaignId)).map((e) => e.outcome)).toEqual(["entered"]);
});

it("skips the reminder no_longer_due when a purchase since restarted the inactivity clock", async () => {
  const { tenantId, campaignId, customer, dueAt } = await reminded(inactivity, 360);
  await db.customerLoyalty.update({ where: { customerId: customer }, data: { lastActivityAt: later(now, 2 * DAY) } });
  expect(await runDueSteps(db, tenantId, later(dueAt, 1000))).toEqual(["skipped"]);
  expect(await messagesOf(db, tenantId)).toEqual([]);
  expect((await stepsOf(db, campaignId)).map((s) => [s.status, s.reason])).toEqual([["skipped", "no_longer_due"]]);
  // Nothing reached the customer: the enrolment ends skipped, so a later expiry is no repeat under `once`.
  expect((await enrolmentsOf(db, campaignId)).map((e) => [e.outcome, e.reason])).toEqual([
    ["skipped", "no_longer_due"],
  ]);
});

it("skips the batched reminder the same way (the executor's message path)", async () => {
  const { tenantId, campaignId, customer, dueAt } = await reminded(inactivity, 360);
  await db.customerLoyalty.update({ where: { customerId: customer }, data: { lastActivityAt: later(now, 2 * DAY) } });
  const at = later(dueAt, 1000);
  const claimed = await claimDueSteps(db, { now: at, limit: 10, claimMs: 60_000, tenantIds: [tenantId] });
  const effects = { queueMessage: recordingQueue, programmes: new ProgrammeCache(db, 0) };
  const ran = await runMessageSteps(db, claimed, { ...effects, queueMessages: async () => [] }, at);
  expect(ran.map((r) => r.outcome)).toEqual(["skipped"]);
  expect(await messagesOf(db, tenantId)).toEqual([]);
  expect((await stepsOf(db, campaignId)).map((s) => s.reason)).toEqual(["no_longer_due"]);
});

it("reminds of a dated lot that still holds points, and skips the reminder once the lot was spent", async () => {
  const lotExpiresAt = later(now, 10 * DAY);
  const kept = await reminded(afterEarning, 30, lotExpiresAt);
  expect(await runDueSteps(db, kept.tenantId, later(kept.dueAt, 1000))).toEqual(["done"]);
  expect(await messagesOf(db, kept.tenantId)).toHaveLength(1);

  const spent = await reminded(afterEarning, 30, lotExpiresAt);
  await spent.spend(later(now, DAY));
  expect(await runDueSteps(db, spent.tenantId, later(spent.dueAt, 1000))).toEqual(["skipped"]);
  expect(await messagesOf(db, spent.tenantId)).toEqual([]);
  expect((await stepsOf(db, spent.campaignId)).map((s) => s.reason)).toEqual(["no_longer_due"]);
});

// A campaign acts on the expiry as well as before it: "your points expire in 3 days", then five days later, once they
// went as announced, a win-back bonus. The expiry having happened leaves the lot empty and (under inactivity) moves
// the clock, yet the announced expiry stood: the follow-up runs.
const winBack: Action[] = [
  { type: "award_points", points: 20, reason: "we miss you", wait: { amount: 5, unit: "days" } },
];

async function expireAt(tenantId: string, at: Date) {
  const programme = (await programmeInForce(db, tenantId, at))!;
  return (await expirePoints({ db, log: silentLogger, tenantId, programme, now: at })).acted;
}

it.each([
  ["a dated lot", afterEarning, 30, later(now, 10 * DAY)],
  ["an inactivity clock", inactivity, 360, null],
] as const)("runs the follow-up after %s expired as announced", async (_, expiry, boughtDaysAgo, lotExpiresAt) => {
  const { tenantId, campaignId, dueAt, expiresAt } = await reminded(expiry, boughtDaysAgo, lotExpiresAt, winBack);
  expect(await runDueSteps(db, tenantId, later(dueAt, 1000))).toEqual(["done"]);
  expect(await expireAt(tenantId, later(expiresAt, 1000))).toBe(1);
  const [, followUp] = await stepsOf(db, campaignId);
  expect(await runDueSteps(db, tenantId, later(followUp!.runAt, 1000))).toEqual(["done"]);
  expect((await stepsOf(db, campaignId)).map((s) => s.status)).toEqual(["done", "done"]);
  expect((await movementsOf(db, tenantId)).map((m) => Number(m.amount))).toEqual([20]);
});

it("skips the follow-up when a purchase uploaded late undid the inactivity expiry", async () => {
  const { tenantId, campaignId, customer, dueAt, expiresAt } = await reminded(inactivity, 360, null, winBack);
  expect(await runDueSteps(db, tenantId, later(dueAt, 1000))).toEqual(["done"]);
  const expiredAt = later(expiresAt, 1000);
  expect(await expireAt(tenantId, expiredAt)).toBe(1);
  const expiry = await db.ledgerMovement.findFirst({ where: { tenantId, kind: "expire" } });
  // What `undoInactivityExpiries` posts for a sale made before the expiry and uploaded after it.
  await withTransaction(db, (tx) =>
    postMovements(tx, [
      {
        tenantId,
        customerId: customer,
        kind: "expire",
        unit: "points",
        amount: -Number(expiry!.amount),
        idempotencyKey: `unexpire:${expiry!.idempotencyKey}`,
        occurredAt: later(expiredAt, 1000),
        lot: { availableAt: later(expiredAt, 1000), expiresAt: null },
      },
    ]),
  );
  await db.customerLoyalty.update({ where: { customerId: customer }, data: { lastActivityAt: later(dueAt, DAY) } });
  const [, followUp] = await stepsOf(db, campaignId);
  expect(await runDueSteps(db, tenantId, later(followUp!.runAt, 1000))).toEqual(["skipped"]);
  expect((await stepsOf(db, campaignId)).map((s) => s.reason)).toEqual([null, "no_longer_due"]);
});

// A reminder planned for before the expiry but run only after it (a backlog, a campaign paused over the date) would
// tell the customer their points expire in 3 days once they already had: it is stale, whether or not the expiry
// happened as announced. A follow-up planned for after the date is what runs then (above).
it.each([
  ["a dated lot", afterEarning, 30, later(now, 10 * DAY)],
  ["an inactivity clock", inactivity, 360, null],
] as const)("skips a reminder run only after %s expired", async (_, expiry, boughtDaysAgo, lotExpiresAt) => {
  const { tenantId, campaignId, expiresAt } = await reminded(expiry, boughtDaysAgo, lotExpiresAt);
  expect(await expireAt(tenantId, later(expiresAt, 1000))).toBe(1);
  expect(await runDueSteps(db, tenantId, later(expiresAt, 2000))).toEqual(["skipped"]);
  expect(await messagesOf(db, tenantId)).toEqual([]);
  expect((await stepsOf(db, campaignId)).map((s) => [s.status, s.reason])).toEqual([["skipped", "no_longer_due"]]);
});

it("skips a reminder run at the expiry instant, before the expiry job posted it", async () => {
  const { tenantId, campaignId, expiresAt } = await reminded(afterEarning, 30, later(now, 10 * DAY));
  expect(await runDueSteps(db, tenantId, expiresAt)).toEqual(["skipped"]);
  expect((await stepsOf(db, campaignId)).map((s) => s.reason)).toEqual(["no_longer_due"]);
});

// A paused campaign's steps are held and looked at again every minute; the last look before the date holds a
// reminder to past it. After the resume it is judged on the time it was planned for, not the one the hold gave it.
it.each([
  ["a dated lot", afterEarning, 30, later(now, 10 * DAY)],
  ["an inactivity clock", inactivity, 360, null],
] as const)(
  "skips a reminder held over the date %s expired on, once resumed",
  async (_, expiry, days, lotExpiresAt) => {
    const { tenantId, campaignId, dueAt, expiresAt } = await reminded(expiry, days, lotExpiresAt);
    await setStatus(db, campaignId, "paused");
    expect(await runDueSteps(db, tenantId, later(dueAt, 1000))).toEqual(["held"]);
    expect(await runDueSteps(db, tenantId, later(expiresAt, -30_000))).toEqual(["held"]);
    expect(await expireAt(tenantId, later(expiresAt, 1000))).toBe(1);
    await setStatus(db, campaignId, "active");
    expect(await runDueSteps(db, tenantId, later(expiresAt, HOUR))).toEqual(["skipped"]);
    expect(await messagesOf(db, tenantId)).toEqual([]);
    expect((await enrolmentsOf(db, campaignId)).map((e) => [e.outcome, e.reason])).toEqual([
      ["skipped", "no_longer_due"],
    ]);
  },
);

// `daysBefore: 0` plans the reminder for the expiry instant itself, or the first local hour after it: by then the
// points are gone (the expiry job has run) or going, and nothing is left to warn about.
it.each([
  ["at the expiry instant", undefined],
  ["at a local hour after it", { timing: { at: "local_time", time: "18:00" } } as Delivery],
] as const)("skips a daysBefore: 0 reminder planned %s, run after the expiry job", async (_, delivery) => {
  const { tenantId, campaignId, expiresAt } = await reminded(afterEarning, 30, later(now, 10 * DAY), [], {
    daysBefore: 0,
    delivery,
  });
  const [step] = await stepsOf(db, campaignId);
  expect(step!.runAt.getTime()).toBeGreaterThanOrEqual(expiresAt.getTime());
  expect(await expireAt(tenantId, later(expiresAt, 1000))).toBe(1);
  expect(await runDueSteps(db, tenantId, later(step!.runAt, 2000))).toEqual(["skipped"]);
  expect(await messagesOf(db, tenantId)).toEqual([]);
  expect((await stepsOf(db, campaignId)).map((s) => [s.status, s.reason])).toEqual([["skipped", "no_longer_due"]]);
});
