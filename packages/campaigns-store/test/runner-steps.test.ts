import type { Db } from "@regulars/db";
import { newId } from "@regulars/ids";
import { ProgrammeCache } from "@regulars/programme";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ActiveCampaignCache, claimDueSteps, enrolFromEvent, runStep } from "../src/index.ts";
import {
  addCampaign,
  addCustomer,
  couponCampaign,
  couponsOf,
  event,
  HOUR,
  later,
  messagesOf,
  movementsOf,
  recordingQueue,
  runDueSteps,
  runnerTenant,
  setStatus,
  stepsOf,
} from "./runner-fixtures.ts";

// The step executor: each step's key is the idempotency key of its coupon, movement or message, so two executors at
// once, a claim that ran out, or a step run again issue nothing twice. Paused campaigns' steps wait, archived ones'
// are cancelled, failures are retried and end `failed` with the error on the step.

let db: Db;
let cache: ActiveCampaignCache;
beforeAll(() => {
  db = testDb();
  cache = new ActiveCampaignCache(db, 0);
});
afterAll(async () => {
  await db?.$disconnect();
});

const now = new Date();
const registered = (tenantId: string, customerId: string) =>
  event({
    id: newId("event"),
    type: "customer.created",
    tenantId,
    customerId,
    occurredAt: now.toISOString(),
    via: "app",
    fields: [],
  });

async function welcomeCampaign(tenantId: string) {
  const fries = await couponCampaign(db, tenantId);
  const campaignId = await addCampaign(db, tenantId, {
    audience: { kind: "none" },
    trigger: { type: "registered" },
    actions: [
      { type: "issue_coupon", couponCampaignId: fries },
      { type: "award_points", points: 25, reason: "Welcome bonus" },
      { type: "send_message", channel: "email", templateId: "tpl_welcome" },
    ],
  });
  return { fries, campaignId };
}

describe("step executor", () => {
  it("two executors at once, and claims that ran out, issue one coupon, one movement and one message per step", async () => {
    const { tenantId } = await runnerTenant(db);
    const { campaignId } = await welcomeCampaign(tenantId);
    const customers: string[] = [];
    for (let i = 0; i < 4; i++) {
      const c = await addCustomer(db, tenantId, { consents: ["email"] });
      customers.push(c);
      await enrolFromEvent(db, cache, registered(tenantId, c), now);
    }
    // Claims that last no time at all: each executor may take a step the other is still running.
    const executor = async (round: number) => {
      const at = later(now, round * 1_000);
      const claimed = await claimDueSteps(db, { now: at, limit: 100, claimMs: 0, tenantIds: [tenantId] });
      for (const step of claimed)
        await runStep(db, step, { queueMessage: recordingQueue, programmes: new ProgrammeCache(db, 0) }, at);
    };
    for (let round = 0; round < 4; round++) await Promise.all([executor(round), executor(round), executor(round)]);

    expect(await couponsOf(db, tenantId)).toBe(4);
    expect(await movementsOf(db, tenantId)).toHaveLength(4);
    expect(await messagesOf(db, tenantId)).toHaveLength(4);
    const steps = await stepsOf(db, campaignId);
    expect(steps.every((s) => s.status === "done")).toBe(true);
    const points = steps.filter((s) => s.stepIndex === 1);
    const movements = await movementsOf(db, tenantId);
    expect(points.map((s) => (s.result as { movementId: string }).movementId).sort()).toEqual(
      movements.map((m) => m.id).sort(),
    );
    expect(movements.every((m) => m.amount === 25n && m.reason === "Welcome bonus")).toBe(true);
    // A campaign's points are a bonus by the campaign, not an admin's adjustment: no admin audit row either.
    expect(movements.every((m) => m.actor === `campaign:${campaignId}`)).toBe(true);
    expect(await db.ledgerMovement.count({ where: { tenantId, kind: "adjust" } })).toBe(0);
    expect(await db.auditLog.count({ where: { tenantId, action: "customers.adjust" } })).toBe(0);
    const announced = await db.outboxEvent.findMany({ where: { tenantId, type: "points.earned" } });
    expect(announced).toHaveLength(4);
  });

  it("a paused campaign's steps wait and run after the resume; an archived one's are cancelled", async () => {
    const { tenantId } = await runnerTenant(db);
    const { campaignId } = await welcomeCampaign(tenantId);
    const customer = await addCustomer(db, tenantId, { consents: ["email"] });
    await enrolFromEvent(db, cache, registered(tenantId, customer), now);
    await setStatus(db, campaignId, "paused");
    expect(await runDueSteps(db, tenantId, now, { holdMs: HOUR })).toEqual(["held"]);
    expect(await couponsOf(db, tenantId)).toBe(0);
    const [held] = await stepsOf(db, campaignId);
    expect(held).toMatchObject({ status: "pending", attempts: 0, runAt: later(now, HOUR) });

    await setStatus(db, campaignId, "active");
    expect(await runDueSteps(db, tenantId, later(now, HOUR))).toEqual(["done"]);
    await setStatus(db, campaignId, "archived");
    expect(await runDueSteps(db, tenantId, later(now, HOUR))).toEqual(["cancelled"]);
    expect((await stepsOf(db, campaignId)).map((s) => [s.status, s.reason])).toEqual([
      ["done", null],
      ["cancelled", "campaign_archived"],
      ["pending", null],
    ]);
    expect(await couponsOf(db, tenantId)).toBe(1);
  });

  it("retries a failing step with backoff and ends it failed with the error visible", async () => {
    const { tenantId } = await runnerTenant(db);
    const { fries, campaignId } = await welcomeCampaign(tenantId);
    await db.couponCampaign.update({ where: { id: fries }, data: { status: "paused" } });
    const customer = await addCustomer(db, tenantId, { consents: ["email"] });
    await enrolFromEvent(db, cache, registered(tenantId, customer), now);
    const retry = { maxAttempts: 2, backoffMs: () => 60_000 };
    expect(await runDueSteps(db, tenantId, now, { retry })).toEqual(["retry"]);
    const [first] = await stepsOf(db, campaignId);
    expect(first).toMatchObject({ status: "pending", attempts: 1, runAt: later(now, 60_000) });
    expect(first?.lastError).toMatch(/paused/);
    expect(await runDueSteps(db, tenantId, later(now, 60_000), { retry })).toEqual(["failed"]);
    const [failed] = await stepsOf(db, campaignId);
    expect(failed).toMatchObject({ status: "failed", attempts: 2 });
    expect(failed?.lastError).toMatch(/paused/);
    // The steps after it run on, without the coupon.
    expect(await runDueSteps(db, tenantId, later(now, 60_000))).toEqual(["done"]);
  });
});
