import { type Db, withTransaction } from "@regulars/db";
import { newId } from "@regulars/ids";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { claimDueMessages, decideSends, queueCampaignMessage } from "../src/index.ts";
import { messageCampaign, messageCustomer, messageTemplate, messageTenant, stepKeyOf, yearAhead } from "./fixtures.ts";

// Whether the check before sending asks for profiling consent: by what the audience's segment reads, as planning
// read it (the campaign version that planned the message, the segment's definition then), and by what a domain_event
// trigger's conditions read of the customer's doing.

let db: Db;
const ahead = yearAhead();
const at = (minutes: number) => new Date(ahead.getTime() + minutes * 60_000);

beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

const noDateOfBirth = { all: [{ type: "has_field", field: "date_of_birth", present: false }] };
const regulars = { all: [{ type: "orders_count", window: "30d", op: "gte", value: 2 }] };
const toSegment = (segmentId: string) => ({
  audience: { kind: "segment", segmentId },
  trigger: { type: "broadcast", schedule: { repeat: "once", at: at(0).toISOString() } },
});

const onEvent = (eventType: string, conditions: object[] = []) => ({
  audience: { kind: "none" },
  trigger: { type: "domain_event", eventType, conditions },
});

async function setup() {
  const { tenantId } = await messageTenant(db, "Profiling Check Grill");
  const templateId = await messageTemplate(db, tenantId, "email", [
    { channel: "email", language: "en", subject: "Hi", body: "<p>Hi</p>" },
  ]);
  // Marketing by e-mail granted, profiling never.
  const customerId = await messageCustomer(db, tenantId, { email: "ada@example.com" });
  const segment = async (definition: object | null) => {
    const id = newId("segment");
    await db.segment.create({
      data: definition
        ? { id, tenantId, name: `seg ${id}`, kind: "definition", definition, createdBy: "test" }
        : { id, tenantId, name: `seg ${id}`, kind: "sql", rawSql: "SELECT 1", createdBy: "test" },
    });
    return id;
  };
  /** A message planned as the runner plans one: an enrolment under the campaign's version 1, its step, the message. */
  const planned = async (campaignId: string) => {
    const stepKey = stepKeyOf();
    const enrolmentId = newId("event");
    await db.campaignEnrolment.create({
      data: {
        id: enrolmentId,
        tenantId,
        campaignId,
        version: 1,
        customerId,
        occurrence: stepKey,
        occurredAt: new Date(),
        outcome: "entered",
      },
    });
    const action = { type: "send_message", channel: "email", templateId };
    await db.campaignStep.create({
      data: {
        key: stepKey,
        tenantId,
        campaignId,
        enrolmentId,
        customerId,
        stepIndex: 0,
        action,
        runAt: at(10),
        status: "done",
      },
    });
    return (
      await withTransaction(db, (tx) =>
        queueCampaignMessage(tx, {
          tenantId,
          campaignId,
          customerId,
          stepKey,
          templateId,
          channel: "email",
          sendAt: at(10),
        }),
      )
    ).messageId!;
  };
  let minute = 600;
  /** The sender's decision on each message, by id: cancelled ones by their code. */
  const decisions = async () => {
    const now = at(++minute);
    const claimed = await claimDueMessages(db, { now, limit: 50, leaseMs: 1_000, tenantIds: [tenantId] });
    const decided = await decideSends(db, claimed, { now });
    return Object.fromEntries(
      claimed.map((m, i) => [
        m.id,
        decided[i]!.action === "cancel" ? (decided[i] as { code: string }).code : decided[i]!.action,
      ]),
    );
  };
  return { tenantId, segment, planned, decisions };
}

describe("profiling consent at send time", () => {
  it("is asked for a segment reading behaviour or raw SQL, not for one of attributes alone", async () => {
    const { tenantId, segment, planned, decisions } = await setup();
    const attributes = await planned(await messageCampaign(db, tenantId, toSegment(await segment(noDateOfBirth))));
    const behaviour = await planned(await messageCampaign(db, tenantId, toSegment(await segment(regulars))));
    const rawSql = await planned(await messageCampaign(db, tenantId, toSegment(await segment(null))));
    const gone = await planned(await messageCampaign(db, tenantId, toSegment("seg_deleted")));
    expect(await decisions()).toEqual({
      [attributes]: "send",
      [behaviour]: "no_profiling_consent",
      [rawSql]: "no_profiling_consent",
      [gone]: "no_profiling_consent",
    });
  });

  it("decides by the campaign version that planned the message, not a later one", async () => {
    const { tenantId, segment, planned, decisions } = await setup();
    const campaignId = await messageCampaign(db, tenantId, toSegment(await segment(noDateOfBirth)));
    const id = await planned(campaignId);
    // Saved again after planning with a behavioural audience: the message was chosen by the first.
    await db.campaignVersion.create({
      data: { tenantId, campaignId, version: 2, definition: toSegment(await segment(regulars)), createdBy: "test" },
    });
    await db.campaign.update({ where: { id: campaignId }, data: { version: 2 } });
    expect(await decisions()).toEqual({ [id]: "send" });
  });

  it("asks for profiling when the segment was changed after planning: the definition planning read is not kept", async () => {
    const { tenantId, segment, planned, decisions } = await setup();
    const segmentId = await segment(noDateOfBirth);
    const id = await planned(await messageCampaign(db, tenantId, toSegment(segmentId)));
    await db.segment.update({
      where: { id: segmentId },
      data: { definition: regulars, version: 2, updatedAt: new Date() },
    });
    expect(await decisions()).toEqual({ [id]: "no_profiling_consent" });
  });

  it("is asked for a domain_event trigger choosing by what was bought, as for a segment; not for every sale", async () => {
    const { tenantId, planned, decisions } = await setup();
    const campaign = (definition: object) => messageCampaign(db, tenantId, definition);
    const vegan = { field: "lines.0.tags", op: "contains", value: "vegan" };
    const boughtVegan = await planned(await campaign(onEvent("transaction.processed", [vegan])));
    const rated = await planned(
      await campaign(onEvent("event.recorded", [{ field: "properties.rating", op: "gte", value: 4 }])),
    );
    const everySale = await planned(
      await campaign(onEvent("transaction.processed", [{ field: "kind", op: "eq", value: "sale" }])),
    );
    const everyPurchase = await planned(await campaign(onEvent("transaction.processed")));
    expect(await decisions()).toEqual({
      [boughtVegan]: "no_profiling_consent",
      [rated]: "no_profiling_consent",
      [everySale]: "send",
      [everyPurchase]: "send",
    });
  });
});
