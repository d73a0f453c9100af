import { nextLocalTime } from "@regulars/campaigns";
import { type Db, withTransaction } from "@regulars/db";
import { sendFailure } from "@regulars/messaging";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { claimDueMessages, decideSend, queueCampaignMessage, recordFailure, recordHeld } from "../src/index.ts";
import { messageCampaign, messageCustomer, messageTemplate, messageTenant, stepKeyOf, yearAhead } from "./fixtures.ts";

// Quiet hours asked again right before sending, on the clock the message was timed in: a tenant in Warsaw, a sale's
// message planned on its New York till's clock (the customer zone falling back to the location's).

let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

const NEW_YORK = "America/New_York";
const WARSAW = "Europe/Warsaw";
const hour = (h: number) => h * 60;
// 16:00 in New York is 21:00 or 22:00 in Warsaw, inside the quiet hours there whatever either side's DST does.
const fourPmInNewYork = nextLocalTime(yearAhead().getTime(), hour(16), NEW_YORK);
const tenPmInNewYork = nextLocalTime(fourPmInNewYork.getTime(), hour(22), NEW_YORK);

const localTime = (d: Date, timeZone: string) =>
  new Intl.DateTimeFormat("en-GB", { timeZone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(d);

async function queued(deliveryZone: string | null) {
  const { tenantId } = await messageTenant(db, "Zone Grill");
  const campaignId = await messageCampaign(db, tenantId, {
    delivery: { timing: { at: "immediately" }, zone: "customer", quietHours: { start: "21:00", end: "08:00" } },
  });
  const templateId = await messageTemplate(db, tenantId, "email", [
    { channel: "email", language: "en", subject: "Hi", body: "<p>Hi</p>" },
  ]);
  const customerId = await messageCustomer(db, tenantId, { email: "ny@example.com" });
  const { messageId } = await withTransaction(db, (tx) =>
    queueCampaignMessage(tx, {
      tenantId,
      campaignId,
      customerId,
      stepKey: stepKeyOf(),
      templateId,
      channel: "email",
      sendAt: fourPmInNewYork,
      deliveryZone,
    }),
  );
  const claimAt = async (now: Date) => {
    const all = await claimDueMessages(db, { now, limit: 10, leaseMs: 1_000, tenantIds: [tenantId] });
    return decideSend(db, all.find((m) => m.id === messageId)!, { now });
  };
  return { messageId: messageId!, claimAt };
}

describe("quiet hours at the send check, on the zone planning used", () => {
  it("keeps the zone with the message", async () => {
    const { messageId } = await queued(NEW_YORK);
    expect((await db.message.findUniqueOrThrow({ where: { id: messageId } })).deliveryZone).toBe(NEW_YORK);
  });

  it("sends at 16:00 in New York a message timed there, though it is night in the tenant's Warsaw", async () => {
    const { claimAt } = await queued(NEW_YORK);
    expect(await claimAt(fourPmInNewYork)).toMatchObject({ action: "send" });
  });

  it("holds one sent late, at 22:00 in New York, until 08:00 in New York (not Warsaw's 08:00)", async () => {
    const { claimAt } = await queued(NEW_YORK);
    const decision = await claimAt(tenPmInNewYork);
    expect(decision).toMatchObject({ action: "hold" });
    const until = (decision as { until?: Date }).until!;
    expect(until.getTime()).toBe(nextLocalTime(tenPmInNewYork.getTime(), hour(8), NEW_YORK).getTime());
    expect(localTime(until, NEW_YORK)).toBe("08:00");
  });

  it("judges a message queued before the zone was kept on the tenant's clock, as before", async () => {
    const { claimAt } = await queued(null);
    const decision = await claimAt(fourPmInNewYork);
    expect(decision).toMatchObject({ action: "hold" });
    expect(localTime((decision as { until?: Date }).until!, WARSAW)).toBe("08:00");
  });
});

describe("a local-time message checked after its time", () => {
  // "At 18:00" on the tenant's Warsaw clock, no quiet hours, queued for 18:00 on the clock planning used (the one kept
  // with the message, else the tenant's).
  async function queuedAtSix(deliveryZone: string | null) {
    const sixPm = nextLocalTime(yearAhead().getTime(), hour(18), deliveryZone ?? WARSAW);
    const { tenantId } = await messageTenant(db, "Evening Grill");
    const campaignId = await messageCampaign(db, tenantId, {
      delivery: { timing: { at: "local_time", time: "18:00" }, zone: "tenant", quietHours: null },
    });
    const templateId = await messageTemplate(db, tenantId, "email", [
      { channel: "email", language: "en", subject: "Hi", body: "<p>Hi</p>" },
    ]);
    const customerId = await messageCustomer(db, tenantId, { email: "evening@example.com" });
    const { messageId } = await withTransaction(db, (tx) =>
      queueCampaignMessage(tx, {
        tenantId,
        campaignId,
        customerId,
        stepKey: stepKeyOf(),
        templateId,
        channel: "email",
        sendAt: sixPm,
        deliveryZone,
      }),
    );
    const claimedAt = async (now: Date) => {
      const all = await claimDueMessages(db, { now, limit: 10, leaseMs: 1_000, tenantIds: [tenantId] });
      return all.find((m) => m.id === messageId)!;
    };
    const claimAt = async (now: Date) => decideSend(db, await claimedAt(now), { now });
    return { campaignId, sixPm, claimedAt, claimAt };
  }

  // The campaign was paused right after the message was queued, so the claim at 18:00 held it.
  async function heldAtSix(deliveryZone: string | null) {
    const queued = await queuedAtSix(deliveryZone);
    await db.campaign.update({ where: { id: queued.campaignId }, data: { status: "paused" } });
    expect(await queued.claimAt(queued.sixPm)).toEqual({ action: "hold" });
    await db.campaign.update({ where: { id: queued.campaignId }, data: { status: "active" } });
    return queued;
  }

  it("resumed at 23:30, waits for tomorrow's 18:00 instead of arriving late at night", async () => {
    const { claimAt, sixPm } = await heldAtSix(null);
    const halfPastEleven = nextLocalTime(sixPm.getTime(), hour(23) + 30, WARSAW);
    const decision = await claimAt(halfPastEleven);
    expect(decision).toMatchObject({ action: "hold" });
    const until = (decision as { until?: Date }).until!;
    expect(until.getTime()).toBe(nextLocalTime(halfPastEleven.getTime(), hour(18), WARSAW).getTime());
  });

  it("reads its 18:00 on the zone it was timed in, and still goes when resumed within the grace", async () => {
    const { claimAt, sixPm } = await heldAtSix(NEW_YORK);
    const after = (minutes: number) => new Date(sixPm.getTime() + minutes * 60_000);
    expect(await claimAt(after(10))).toMatchObject({ action: "send" });
    // 23:00 in New York is morning in Warsaw: late all the same, for New York's next 18:00.
    const decision = await claimAt(after(5 * 60));
    expect(decision).toMatchObject({ action: "hold" });
    const until = (decision as { until?: Date }).until!;
    expect(until.getTime()).toBe(nextLocalTime(after(5 * 60).getTime(), hour(18), NEW_YORK).getTime());
  });

  it("held at 18:20 for tomorrow's 18:00, goes when claimed just after it though its send_at is a day old", async () => {
    const { claimedAt, sixPm } = await heldAtSix(null);
    const twentyPast = new Date(sixPm.getTime() + 20 * 60_000);
    const late = await claimedAt(twentyPast);
    const decision = await decideSend(db, late, { now: twentyPast });
    expect(decision).toMatchObject({ action: "hold" });
    const until = (decision as { until?: Date }).until!;
    expect(until.getTime()).toBe(nextLocalTime(twentyPast.getTime(), hour(18), WARSAW).getTime());
    expect((await recordHeld(db, late, until)).outcome).toBe("held");

    const justAfter = new Date(until.getTime() + 1_000);
    expect(await decideSend(db, await claimedAt(justAfter), { now: justAfter })).toMatchObject({ action: "send" });
  });

  it("retried by the provider's backoff, still goes at 18:40: that evening's message, not a late one", async () => {
    const { claimedAt, claimAt, sixPm } = await queuedAtSix(null);
    const first = await claimedAt(sixPm);
    const tried = await decideSend(db, first, { now: sixPm });
    if (tried.action !== "send") throw new Error(`expected to send, got ${tried.action}`);
    const failed = await recordFailure(db, first, tried.message, "smtp", sendFailure("timeout", "no answer"), {
      now: sixPm,
    });
    expect(failed.outcome).toBe("retrying");
    expect(await claimAt(new Date(sixPm.getTime() + 40 * 60_000))).toMatchObject({ action: "send" });
  });
});
