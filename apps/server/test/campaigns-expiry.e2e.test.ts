import type { Db } from "@regulars/db";
import { createLogger } from "@regulars/logger";
import { ProgrammeCache } from "@regulars/programme";
import type { CreatedTenant } from "@regulars/tenancy";
import { daysAgo, testTenant } from "@regulars/testing";
import { runScheduledJobs } from "@regulars/workers";
import { beforeAll, describe, expect, it, vi } from "vitest";
import {
  brandApp,
  campaignScenario,
  eventually,
  messagesOf,
  pushTemplate,
  quietPeriod,
  received,
  type SignedReceiver,
  scenarioTimeoutMs,
  subscribeMessages,
} from "./campaign-fixture.ts";
import { domainEvents } from "./domain-events.ts";
import type { TestSystem } from "./system-fixture.ts";

vi.setConfig({ testTimeout: scenarioTimeoutMs });

// Acceptance scenario 10 of the specification: points expire after 12 months without a purchase, the notice 14
// days before sets off a campaign's message, and a purchase in between resets the clock. Sales of 355 days ago are
// posted as a till's late upload (the acceptance window widened for it); their 12 months end inside the 14 days, so
// the first notice, late, announces 14 days from when it is written and the message names that date. The scheduler
// runs every second at the real time, and one pass is run with a clock moved past that date, for this tenant only.

const scenario = campaignScenario({ OCCURRED_AT_MAX_AGE_DAYS: "400" });
let system: TestSystem;
let db: Db;
let receiver: SignedReceiver;
beforeAll(() => {
  ({ system, db, receiver } = scenario);
});

let serial = 0;
async function sale(tenant: CreatedTenant, customerId: string, occurredAt: string, euros: number) {
  const externalId = `EXP-${Date.now()}-${++serial}`;
  const res = await system.post("/v1/transactions", tenant.apiKeys.pos, {
    externalId,
    type: "sale",
    occurredAt,
    locationId: "store-a",
    channel: "pos",
    customer: { id: customerId },
    currency: "EUR",
    lines: [{ sku: "MEAL", name: "Meal", quantity: 1, unitPrice: euros * 100, discount: 0, tags: [] }],
    total: euros * 100,
  });
  expect(res.status).toBe(202);
  return system.processed(tenant.apiKeys.admin, externalId);
}

const DAY_MS = 86_400_000;

describe("points expiring after a year without a purchase", () => {
  let tenant: CreatedTenant;
  beforeAll(async () => {
    tenant = await testTenant(db, "Expiring Burgers");
    await subscribeMessages(system, tenant, receiver);
  });

  /** One pass of every scheduled job for this tenant only, with an empty programme cache; retried while the
   * running scheduler holds the lease. */
  const jobsPass = (now: Date) =>
    eventually(
      `a scheduled pass at ${now.toISOString()}`,
      async () =>
        (await runScheduledJobs(
          { db, bus: system.bus, log: createLogger({ level: "silent" }), programmes: new ProgrammeCache(db, 0) },
          now,
          { tenantIds: [tenant.tenantId] },
        )) ?? undefined,
    );

  it("scenario 10: the notice 14 days before sends a message with the expiring points; a purchase in between resets the clock", async () => {
    const admin = system.client(tenant.apiKeys.admin);
    await admin.programme.expiry.set.mutate({ expiry: { kind: "inactivity", months: 12, noticeDays: 14 } });
    const template = await pushTemplate(
      system,
      tenant,
      "Your points are about to expire",
      "{{ points.expiring }} points expire on {{ points.expiring_on }}: come by before then",
    );
    const reminder = await admin.campaigns.create.mutate({
      name: "Points expiring",
      status: "active",
      audience: { kind: "none" },
      trigger: { type: "points_expiring", daysBefore: 14 },
      actions: [{ type: "send_message", channel: "push", templateId: template.id }],
    });

    const app = brandApp(system, tenant);
    const run = Date.now();
    const lapsed = await app.member(`apple-lapsed-${run}`);
    const returning = await app.member(`apple-returning-${run}`);
    const regular = await app.member(`apple-regular-${run}`);
    // The regular's recent purchase is posted first, so no scheduler pass ever sees only the old one.
    await sale(tenant, regular.id, new Date().toISOString(), 10);
    // 355 days ago: 12 months later is 10 or 11 days from now, already inside the 14-day notice period.
    const beforeNotice = Date.now();
    const lastPurchase = daysAgo(355);
    for (const m of [lapsed, returning, regular]) await sale(tenant, m.id, lastPurchase, 80);

    const noticeOf = async (customerId: string) =>
      (await domainEvents(system.bus, "points.expiring")).filter((e) => e.customerId === customerId);
    const pushOf = (customerId: string) =>
      eventually(`the expiry push to ${customerId}`, async () => {
        const [push] = await received(db, tenant, customerId);
        return push;
      });
    // The running scheduler keeps each tenant's programme for up to a minute (ProgrammeCache), so it may not see
    // the expiry policy yet: a pass as a freshly started process would run it, now, for this tenant.
    await jobsPass(new Date());
    const lapsedPush = await pushOf(lapsed.id);
    const returningPush = await pushOf(returning.id);
    const [notice] = await noticeOf(returning.id);
    expect(notice).toMatchObject({ points: 80 });
    const oldExpiry = Date.parse(notice.expiresAt);
    // The day the points go, as the tenant's calendar has it.
    const { timezone } = await db.tenant.findUniqueOrThrow({ where: { id: tenant.tenantId } });
    const day = new Intl.DateTimeFormat("en-CA", { timeZone: timezone }).format(new Date(oldExpiry));
    expect(lapsedPush.body).toContain(`80 points expire on ${day}: come by before then`);
    expect(returningPush.body).toContain(`80 points expire on ${day}: come by before then`);
    // Written late inside the notice period, the first notice names 14 days from the pass that wrote it, not the
    // 12 months (10 or 11 days away): the points never go with less notice than the programme promises.
    expect(oldExpiry).toBeGreaterThanOrEqual(beforeNotice + 14 * DAY_MS);
    expect(oldExpiry).toBeLessThanOrEqual(Date.now() + 14 * DAY_MS);

    // The returning customer buys again before the date: the clock starts over.
    await sale(tenant, returning.id, new Date().toISOString(), 5);
    await quietPeriod();
    expect(await noticeOf(returning.id)).toHaveLength(1);
    expect(await noticeOf(regular.id)).toEqual([]);
    expect(await received(db, tenant, regular.id)).toEqual([]);

    const balance = async (id: string) => (await admin.customers.get.query({ id })).points.balance;
    // A day after the 12 months, before the date the notice named: the lapsed customer keeps what they were promised.
    const twelveMonthsOn = new Date(lastPurchase);
    twelveMonthsOn.setUTCFullYear(twelveMonthsOn.getUTCFullYear() + 1);
    const dayAfterTwelveMonths = new Date(twelveMonthsOn.getTime() + DAY_MS);
    expect(dayAfterTwelveMonths.getTime()).toBeLessThan(oldExpiry);
    await jobsPass(dayAfterTwelveMonths);
    expect(await balance(lapsed.id)).toBe(80);

    // A day after the old date, on this tenant only: the lapsed customer's points go, the others' stay.
    const afterOldDate = new Date(oldExpiry + DAY_MS);
    const log = createLogger({ level: "silent" });
    await eventually(
      "a scheduled pass after the old expiry date",
      async () =>
        (await runScheduledJobs({ db, bus: system.bus, log, programmes: new ProgrammeCache(db, 0) }, afterOldDate, {
          tenantIds: [tenant.tenantId],
        })) ?? undefined,
    );
    expect(await balance(lapsed.id)).toBe(0);
    expect(await balance(returning.id)).toBe(85);
    expect(await balance(regular.id)).toBe(90);
    expect(await noticeOf(returning.id)).toHaveLength(1);
    expect((await messagesOf(system, tenant, { campaignId: reminder.id })).map((m) => m.customerId).sort()).toEqual(
      [lapsed.id, returning.id].sort(),
    );

    await eventually("message.sent of both notices at the tenant's endpoint", async () => {
      const hits = receiver.verified.filter((d) => d.type === "message.sent" && d.data.campaignId === reminder.id);
      return hits.length === 2 ? hits : undefined;
    });
    const results = await eventually("the campaign's results", async () => {
      const r = await admin.campaigns.results.query({ id: reminder.id });
      return r.reach.entered === 2 && r.messages.sent === 2 ? r : undefined;
    });
    expect(results.reach).toEqual({ entered: 2, control: 0 });
  });
});
