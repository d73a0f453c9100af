import type { Db } from "@regulars/db";
import { newId } from "@regulars/ids";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runDueBroadcasts } from "../src/index.ts";
import {
  addCampaign,
  addCustomer,
  addSegment,
  couponCampaign,
  HOUR,
  later,
  runnerTenant,
  stepsOf,
} from "./runner-fixtures.ts";

// Which consents planning asks for: profiling as well as marketing when the audience is chosen from behaviour, and
// the consent in force as the customers store ranks it.

let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

const now = new Date();

async function broadcastNow(
  tenantId: string,
  audience: { kind: "segment"; segmentId: string } | { kind: "all_members" },
) {
  const fries = await couponCampaign(db, tenantId);
  const runAt = later(now, -60_000);
  const campaignId = await addCampaign(
    db,
    tenantId,
    {
      status: "scheduled",
      audience,
      trigger: { type: "broadcast", schedule: { repeat: "once", at: runAt.toISOString() } },
      actions: [
        { type: "issue_coupon", couponCampaignId: fries },
        { type: "send_message", channel: "push", templateId: "tpl_new" },
      ],
    },
    { nextRunAt: runAt },
  );
  return campaignId;
}

const stepsByCustomer = async (campaignId: string) => {
  const out = new Map<string, [string, string | null][]>();
  for (const s of await stepsOf(db, campaignId))
    out.set(s.customerId, [...(out.get(s.customerId) ?? []), [s.status, s.reason]]);
  return out;
};

describe("consents at planning", () => {
  it("a segment's campaign skips the push of a member without profiling consent on push, keeping the coupon", async () => {
    const { tenantId, timezone } = await runnerTenant(db);
    const profiled = await addCustomer(db, tenantId, { push: true, consents: ["push"] });
    const notProfiled = await addCustomer(db, tenantId, { push: true, consents: ["push"], profiling: ["email"] });
    const segmentId = await addSegment(db, tenantId, [profiled, notProfiled]);
    const campaignId = await broadcastNow(tenantId, { kind: "segment", segmentId });

    await runDueBroadcasts({ db, tenantId, zone: timezone, now, chunkSize: 10 });

    const steps = await stepsByCustomer(campaignId);
    expect(steps.get(profiled)).toEqual([
      ["pending", null],
      ["pending", null],
    ]);
    expect(steps.get(notProfiled)).toEqual([
      ["pending", null],
      ["skipped", "no_profiling_consent"],
    ]);
  });

  it("a withdrawal recorded after a grant stamped ahead of our clock is the consent in force", async () => {
    const { tenantId, timezone } = await runnerTenant(db);
    const customerId = await addCustomer(db, tenantId, { push: true });
    const choice = (granted: boolean, occurredAt: Date, recordedAt: Date) => ({
      id: newId("event"),
      tenantId,
      customerId,
      channel: "push",
      purpose: "marketing",
      granted,
      source: "test",
      occurredAt,
      recordedAt,
    });
    // The app's clock runs 4 minutes fast; a minute after its grant, the customer withdraws.
    const grantedAt = later(now, -HOUR);
    await db.customerConsent.create({ data: choice(true, later(grantedAt, 4 * 60_000), grantedAt) });
    await db.customerConsent.create({ data: choice(false, later(grantedAt, 60_000), later(grantedAt, 60_000)) });
    const campaignId = await broadcastNow(tenantId, { kind: "all_members" });

    await runDueBroadcasts({ db, tenantId, zone: timezone, now, chunkSize: 10 });

    expect((await stepsByCustomer(campaignId)).get(customerId)).toEqual([
      ["pending", null],
      ["skipped", "no_consent"],
    ]);
  });
});
