import type { Db } from "@regulars/db";
import type { CreatedTenant } from "@regulars/tenancy";
import { daysAgo, testTenant } from "@regulars/testing";
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
  saleFor,
  scenarioTimeoutMs,
  settledMessage,
  subscribeMessages,
  walletOf,
} from "./campaign-fixture.ts";
import type { TestSystem } from "./system-fixture.ts";

vi.setConfig({ testTimeout: scenarioTimeoutMs });

// Acceptance scenario 5 of the specification: a broadcast to a segment built from real posted sales, with a
// coupon and a push, the push held back by consent and by a frequency cap, over the real services.

const scenario = campaignScenario();
let system: TestSystem;
let db: Db;
let receiver: SignedReceiver;
beforeAll(() => {
  ({ system, db, receiver } = scenario);
});

const veggie = (sku: string, unitPrice: number) => ({ sku, unitPrice, tags: ["vegetarian"] });

/** A sale of `days` ago, inside the window a till may upload late: `saleFor` posts at now. */
async function pastSaleFor(tenant: CreatedTenant, customerId: string, days: number, sku: string, unitPrice: number) {
  const externalId = `CMP-OLD-${Date.now()}-${customerId}`;
  const res = await system.post("/v1/transactions", tenant.apiKeys.pos, {
    externalId,
    type: "sale",
    occurredAt: daysAgo(days),
    locationId: "store-a",
    channel: "pos",
    customer: { id: customerId },
    currency: "EUR",
    lines: [{ sku, name: sku, quantity: 1, unitPrice, discount: 0, tags: ["vegetarian"] }],
    total: unitPrice,
  });
  expect(res.status).toBe(202);
  return system.processed(tenant.apiKeys.admin, externalId);
}

describe("a new products campaign to a segment", () => {
  let tenant: CreatedTenant;
  beforeAll(async () => {
    tenant = await testTenant(db, "Veggie Burgers");
    await subscribeMessages(system, tenant, receiver);
  });

  it("scenario 5: each member of the vegetarian regulars gets a coupon by push, within consents (profiling too: a segment picks by behaviour) and frequency caps; others get nothing", async () => {
    const admin = system.client(tenant.apiKeys.admin);
    const app = brandApp(system, tenant);
    const run = Date.now();
    const everyConsent = await app.member(`apple-veg-a-${run}`);
    const noPush = await app.member(`apple-veg-b-${run}`, {
      consents: [
        { channel: "push", purpose: "marketing", granted: false },
        { channel: "email", purpose: "marketing", granted: true },
      ],
    });
    const recentlyPushed = await app.member(`apple-veg-c-${run}`);
    // Offers by push, yes; chosen from what they buy, no.
    const noProfiling = await app.member(`apple-veg-d-${run}`, {
      consents: [
        { channel: "push", purpose: "marketing", granted: true },
        { channel: "push", purpose: "profiling", granted: false },
      ],
    });
    const meatLover = await app.member(`apple-meat-${run}`);
    // Each misses one condition by a little: all vegetarian but one order in the 30 days, or two orders at 25 %.
    const onceThisMonth = await app.member(`apple-veg-once-${run}`);
    const aQuarterVeggie = await app.member(`apple-veg-quarter-${run}`);

    // Two orders each in the last 30 days; the members' baskets are at least half vegetarian.
    for (const m of [everyConsent, noPush, recentlyPushed, noProfiling]) {
      await saleFor(system, tenant, m.id, [veggie("VEGGIE-BURGER", 1_200), { sku: "COLA", unitPrice: 300 }]);
      await saleFor(system, tenant, m.id, [veggie("FALAFEL-WRAP", 900)]);
    }
    await saleFor(system, tenant, meatLover.id, [{ sku: "BEEF-BURGER", unitPrice: 1_300 }]);
    await saleFor(system, tenant, meatLover.id, [
      { sku: "BEEF-BURGER", unitPrice: 1_300 },
      { sku: "COLA", unitPrice: 300 },
    ]);
    await pastSaleFor(tenant, onceThisMonth.id, 32, "FALAFEL-WRAP", 900);
    await saleFor(system, tenant, onceThisMonth.id, [veggie("VEGGIE-BURGER", 1_200)]);
    await saleFor(system, tenant, aQuarterVeggie.id, [
      veggie("VEGGIE-BURGER", 1_200),
      { sku: "COLA", unitPrice: 300 },
      { sku: "FRIES", unitPrice: 400 },
    ]);
    await saleFor(system, tenant, aQuarterVeggie.id, [{ sku: "BEEF-BURGER", unitPrice: 1_300 }]);

    const { segment } = await admin.segments.create.mutate({
      name: "Vegetarian regulars",
      definition: {
        all: [
          { type: "tag_affinity", tag: "vegetarian", op: "gte", value: 0.3 },
          { type: "orders_count", window: "30d", op: "gte", value: 2 },
        ],
      },
    });
    const members = [everyConsent.id, noPush.id, recentlyPushed.id, noProfiling.id].sort();
    await eventually("the segment's members", async () => {
      await admin.segments.refresh.mutate({ id: segment.id });
      const ids = (await admin.segments.members.query({ id: segment.id })).members.map((m) => m.customerId);
      return JSON.stringify(ids.sort()) === JSON.stringify(members) ? ids : undefined;
    });

    // A push of another campaign a moment ago, inside the new campaign's cap window.
    const hello = await pushTemplate(system, tenant, "Welcome back", "Good to see you in the app");
    const appOpened = await admin.campaigns.create.mutate({
      name: "App opened",
      status: "active",
      audience: { kind: "none" },
      trigger: {
        type: "domain_event",
        eventType: "event.recorded",
        conditions: [{ field: "eventType", op: "eq", value: "app_open" }],
      },
      actions: [{ type: "send_message", channel: "push", templateId: hello.id }],
    });
    const opened = await system.post("/v1/events", tenant.apiKeys.app, {
      eventId: `open-${run}`,
      type: "app_open",
      occurredAt: new Date().toISOString(),
      customer: { id: recentlyPushed.id },
      channel: "app",
    });
    expect(opened.status).toBe(202);
    expect(await settledMessage(system, tenant, recentlyPushed.id, appOpened.id)).toMatchObject({ status: "sent" });

    const coupon = await admin.coupons.create.mutate({
      name: "Try the new falafel bowl",
      benefit: { kind: "fixed_off", amount: 200, match: { skus: ["FALAFEL-BOWL"] } },
      codes: { kind: "unique", pattern: "BOWL-XXXXX" },
    });
    const news = await pushTemplate(system, tenant, "New on the menu", "The falafel bowl, €2 off: {{ coupon.code }}");
    const newProducts = await admin.campaigns.create.mutate({
      name: "New products",
      audience: { kind: "segment", segmentId: segment.id },
      trigger: { type: "broadcast", schedule: { repeat: "once", at: new Date(Date.now() + 2_000).toISOString() } },
      actions: [
        { type: "issue_coupon", couponCampaignId: coupon.id },
        { type: "send_message", channel: "push", templateId: news.id },
      ],
      limits: { frequencyCaps: [{ channel: "push", max: 1, windowHours: 24 }] },
    });
    await admin.campaigns.schedule.mutate({ id: newProducts.id });

    const wallets = await eventually("a coupon in every member's wallet", async () => {
      const all = await Promise.all(members.map((id) => walletOf(system, tenant, id)));
      return all.every((w) => w.length === 1) ? all : undefined;
    });
    for (const w of wallets) expect(w[0]).toMatchObject({ campaignId: coupon.id });
    const pushed = await settledMessage(system, tenant, everyConsent.id, newProducts.id);
    expect(pushed).toMatchObject({ channel: "push", status: "sent" });
    const code = (await walletOf(system, tenant, everyConsent.id))[0]!.code;
    expect((await received(db, tenant, everyConsent.id)).map((m) => m.body)).toEqual([expect.stringContaining(code)]);
    await quietPeriod();

    // Without push consent: the coupon, no push (and no message queued that could go later).
    expect(await received(db, tenant, noPush.id)).toEqual([]);
    expect(
      (await messagesOf(system, tenant, { customerId: noPush.id })).filter((m) => m.status !== "cancelled"),
    ).toEqual([]);
    // Without profiling consent on push: the coupon, and the push skipped for that reason.
    expect(await received(db, tenant, noProfiling.id)).toEqual([]);
    const noProfilingSteps = await db.campaignStep.findMany({
      where: { campaignId: newProducts.id, customerId: noProfiling.id },
      orderBy: { stepIndex: "asc" },
    });
    expect(noProfilingSteps.map((s) => [s.status, s.reason])).toEqual([
      ["done", null],
      ["skipped", "no_profiling_consent"],
    ]);
    // Capped: only the earlier push arrived.
    expect((await received(db, tenant, recentlyPushed.id)).map((m) => m.body)).toEqual([
      expect.stringContaining("Good to see you"),
    ]);
    expect(
      (await messagesOf(system, tenant, { customerId: recentlyPushed.id, campaignId: newProducts.id })).filter(
        (m) => m.status !== "cancelled",
      ),
    ).toEqual([]);
    // Not in the segment: nothing at all.
    for (const outsider of [meatLover, onceThisMonth, aQuarterVeggie]) {
      expect(await walletOf(system, tenant, outsider.id)).toEqual([]);
      expect(await messagesOf(system, tenant, { customerId: outsider.id })).toEqual([]);
    }

    await eventually("message.sent of the new products push at the tenant's endpoint", async () =>
      receiver.verified.find((d) => d.type === "message.sent" && d.data.messageId === pushed.id),
    );
    expect(
      receiver.verified.filter((d) => d.type === "message.sent" && d.data.campaignId === newProducts.id),
    ).toHaveLength(1);
    const results = await eventually("the campaign's results", async () => {
      const r = await admin.campaigns.results.query({ id: newProducts.id });
      return r.reach.entered === 4 && r.messages.sent === 1 ? r : undefined;
    });
    expect(results).toMatchObject({ reach: { entered: 4, control: 0 }, coupons: { issued: 4 } });
  });
});
