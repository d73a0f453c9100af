import type { CampaignDefinitionInput } from "@regulars/contracts";
import { newId } from "@regulars/ids";
import { ProgrammeCache } from "@regulars/programme";
import { instantOfWallClock, wallClock } from "@regulars/rules";
import { describe, expect, it } from "vitest";
import { claimDueSteps, enrolFromEvent, runMessageSteps } from "../src/index.ts";
import {
  addCampaign,
  addCustomer,
  DAY,
  event,
  HOUR,
  later,
  messagesOf,
  recordingQueue,
  runDueSteps,
  runnerDb,
  runnerTenant,
  setStatus,
  stepsOf,
} from "./runner-fixtures.ts";

// A message the campaign delivers at a local time keeps that time when it runs late (held by a pause): it goes at
// the next such time, not whenever the campaign resumed. Times are wall times of a day three days back, in the
// tenant's zone.

const { db, cache } = runnerDb();
const ZONE = "Europe/Warsaw";
const day = wallClock(Date.now() - 3 * DAY, ZONE);
/** The instant the tenant's clock reads `hour:minute`, `plusDays` calendar days after `day`. */
const at = (hour: number, minute = 0, plusDays = 0) => {
  const date = new Date(Date.UTC(day.year, day.month - 1, day.day + plusDays));
  const wall = { year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate() };
  return new Date(instantOfWallClock({ ...wall, hour, minute, second: 0, millisecond: 0 }, ZONE));
};
const localOf = (d: Date) => {
  const w = wallClock(d.getTime(), ZONE);
  return { day: w.day, hour: w.hour, minute: w.minute };
};

async function pausedOverSendTime(timing: CampaignDefinitionInput["delivery"], opts = { pause: true }) {
  const { tenantId } = await runnerTenant(db, ZONE);
  const noon = at(12);
  const campaign = await addCampaign(
    db,
    tenantId,
    {
      audience: { kind: "none" },
      trigger: { type: "registered" },
      delivery: timing,
      actions: [{ type: "send_message", channel: "email", templateId: "tpl", wait: { unit: "hours", amount: 1 } }],
    },
    { startedAt: later(noon, -HOUR) },
  );
  const customer = await addCustomer(db, tenantId, { consents: ["email"] }, noon);
  await enrolFromEvent(
    db,
    cache,
    event({
      id: newId("event"),
      tenantId,
      customerId: customer,
      occurredAt: noon.toISOString(),
      type: "customer.created",
      via: "app",
      fields: [],
    }),
    noon,
  );
  const [step] = await stepsOf(db, campaign);
  if (opts.pause) {
    await setStatus(db, campaign, "paused");
    expect(await runDueSteps(db, tenantId, step!.runAt, { holdMs: HOUR })).toEqual(["held"]);
    await setStatus(db, campaign, "active");
  }
  return { tenantId, planned: step!.runAt };
}

const eighteen = { timing: { at: "local_time" as const, time: "18:00" }, zone: "tenant" as const, quietHours: null };

describe("a local-time message run late", () => {
  it("goes at the next such local time, not when the campaign resumed", async () => {
    const { tenantId, planned } = await pausedOverSendTime(eighteen);
    expect(localOf(planned)).toEqual({ day: day.day, hour: 18, minute: 0 });
    const resumed = at(23, 30);
    expect(await runDueSteps(db, tenantId, resumed)).toEqual(["done"]);
    const [message] = await messagesOf(db, tenantId);
    expect(message!.sendAt).toEqual(at(18, 0, 1));
  });

  it("goes at the next such local time through the batch of messages too", async () => {
    const { tenantId } = await pausedOverSendTime(eighteen);
    const resumed = at(23, 30);
    const claimed = await claimDueSteps(db, { now: resumed, limit: 10, claimMs: 60_000, tenantIds: [tenantId] });
    const outcomes = await runMessageSteps(
      db,
      claimed,
      {
        queueMessage: recordingQueue,
        queueMessages: async (tx, inputs) => {
          const out = [];
          for (const input of inputs) out.push(await recordingQueue(tx, input));
          return out;
        },
        programmes: new ProgrammeCache(db, 0),
      },
      resumed,
    );
    expect(outcomes.map((o) => o.outcome)).toEqual(["done"]);
    const [message] = await messagesOf(db, tenantId);
    expect(message!.sendAt).toEqual(at(18, 0, 1));
  });

  it("goes at its planned time when only a few minutes late", async () => {
    const { tenantId } = await pausedOverSendTime(eighteen, { pause: false });
    expect(await runDueSteps(db, tenantId, at(18, 5))).toEqual(["done"]);
    expect((await messagesOf(db, tenantId))[0]!.sendAt).toEqual(at(18));
  });

  it("goes when due when the campaign delivers immediately", async () => {
    const { tenantId, planned } = await pausedOverSendTime({
      timing: { at: "immediately" },
      zone: "tenant",
      quietHours: null,
    });
    const resumed = at(23, 30);
    expect(await runDueSteps(db, tenantId, resumed)).toEqual(["done"]);
    expect((await messagesOf(db, tenantId))[0]!.sendAt).toEqual(later(planned, HOUR));
  });
});
