import { enrolAtTill, mergeCustomer } from "@regulars/customers-store";
import { type Db, withTransaction } from "@regulars/db";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decideSend, decideSends } from "../src/index.ts";
import {
  claimForTenant,
  messageCampaign,
  messageCustomer,
  queueCampaignSms,
  smsCampaignSetup,
  yearAhead,
} from "./fixtures.ts";

// A till's customer merged into an app account is one person: the messages queued for the till's customer before
// the merge are the account's to receive, by its consents, at its address, within its caps.

let db: Db;
const ahead = yearAhead();
const at = (minutes: number) => new Date(ahead.getTime() + minutes * 60_000);
const smsYes = [{ channel: "sms" as const, purpose: "marketing" as const, granted: true }];
const oneADay = { limits: { frequencyCaps: [{ max: 1, windowHours: 24 }] } };

beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

const tillCustomer = async (tenantId: string, phone: string, consents = smsYes) =>
  (
    await enrolAtTill(
      db,
      tenantId,
      { phone, locationId: "loc_main", consents },
      { actor: "key_pos", via: "pos", now: at(0) },
    )
  ).customerId;
const merge = (tenantId: string, from: string, into: string) =>
  withTransaction(db, (tx) => mergeCustomer(tx, tenantId, from, into, { actor: null, source: "app", now: at(2) }));
const outcome = (d: Awaited<ReturnType<typeof decideSend>>) => (d.action === "cancel" ? d.code : d.action);

describe("a merged-away customer's queued messages", () => {
  it("go to the survivor by the consents the merge moved: of two that cannot both go, one goes first", async () => {
    const { tenantId, campaignId, smsTemplate } = await smsCampaignSetup(db, "Merge Grill", oneADay);
    const till = await tillCustomer(tenantId, "+48600710001");
    const app = await messageCustomer(db, tenantId, { phone: "+48600710002", consents: [], at: at(0) });
    const sms = (customerId: string, minute: number) =>
      queueCampaignSms(db, { tenantId, campaignId, templateId: smsTemplate, customerId, sendAt: at(minute) });
    const first = await sms(till, 10);
    const second = await sms(app, 11);
    await merge(tenantId, till, app);

    const claimed = await claimForTenant(db, tenantId, at(20));
    const ordered = [first, second].map((id) => claimed.find((m) => m.id === id)!);
    const together = await decideSends(db, ordered, { now: at(20) });
    expect(together.map(outcome)).toEqual(["send", "hold"]);
    expect(together[0]).toMatchObject({ message: { to: "+48600710002", customerId: app } });
    const alone = [];
    for (const m of ordered) alone.push(await decideSend(db, m, { now: at(20) }));
    expect(alone).toEqual(together);
  });

  it("count against the survivor's caps, through a merge of a merge too", async () => {
    // The till's customer went into a phone-only account, which went into the app account later.
    const { tenantId, campaignId, smsTemplate } = await smsCampaignSetup(db, "Chain Grill", oneADay);
    const uncapped = await messageCampaign(db, tenantId);
    const till = await tillCustomer(tenantId, "+48600720001");
    const middle = await tillCustomer(tenantId, "+48600720002", []);
    const app = await messageCustomer(db, tenantId, { phone: "+48600720003", consents: [], at: at(0) });
    const sms = (campaign: string, customerId: string, minute: number) =>
      queueCampaignSms(db, { tenantId, campaignId: campaign, templateId: smsTemplate, customerId, sendAt: at(minute) });
    const capped = await sms(campaignId, till, 70);
    const free = await sms(uncapped, till, 70);
    const sent = await sms(campaignId, app, 5);
    await db.message.update({ where: { id: sent }, data: { status: "sent", sentAt: at(5) } });
    await merge(tenantId, till, middle);
    await merge(tenantId, middle, app);

    const claimed = await claimForTenant(db, tenantId, at(80));
    const decisions = await decideSends(
      db,
      [capped, free].map((id) => claimed.find((m) => m.id === id)!),
      { now: at(80) },
    );
    expect(decisions.map(outcome)).toEqual(["capped", "send"]);
    expect(decisions[1]).toMatchObject({ message: { to: "+48600720003", customerId: app } });
  });
});
