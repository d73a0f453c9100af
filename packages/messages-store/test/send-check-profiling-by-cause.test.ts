import { setConsents } from "@regulars/customers-store";
import { type Db, withTransaction } from "@regulars/db";
import { newId } from "@regulars/ids";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { claimDueMessages, decideSends, queueCampaignMessage } from "../src/index.ts";
import { messageCampaign, messageCustomer, messageTemplate, messageTenant, stepKeyOf, yearAhead } from "./fixtures.ts";

// A follow-up on another campaign's doing (here: a coupon it issued) reaches whom that campaign chose. When it chose by
// behaviour, planning marks the follow-up's steps (`profilingByCause`, as the campaigns store's `storedAction` writes
// it) and the check before sending must ask for profiling consent again: the customer may have withdrawn it since.

let db: Db;
const ahead = yearAhead();
const at = (minutes: number) => new Date(ahead.getTime() + minutes * 60_000);

beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

// Its own trigger reads nothing of the customer's doing: only the cause's choice asks for profiling.
const onCouponIssued = { audience: { kind: "none" }, trigger: { type: "domain_event", eventType: "coupon.issued" } };
const email = (purpose: "marketing" | "profiling", granted: boolean) => ({
  channel: "email" as const,
  purpose,
  granted,
});

async function setup() {
  const { tenantId } = await messageTenant(db, "Follow-up Profiling Grill");
  const templateId = await messageTemplate(db, tenantId, "email", [
    { channel: "email", language: "en", subject: "Hi", body: "<p>Hi</p>" },
  ]);
  const campaignId = await messageCampaign(db, tenantId, onCouponIssued);
  /** A customer who granted marketing and profiling by e-mail when registering. */
  const customer = () =>
    messageCustomer(db, tenantId, {
      email: "ada@example.com",
      consents: [email("marketing", true), email("profiling", true)],
    });
  const withdrawProfiling = (customerId: string) =>
    setConsents(
      db,
      tenantId,
      customerId,
      { consents: [email("profiling", false)] },
      { actor: "key_app", source: "app", now: new Date() },
    );
  /** A message planned and queued as the runner does it, its step marked or not as following a behavioural cause. */
  const planned = async (customerId: string, profilingByCause: boolean) => {
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
    const action = {
      type: "send_message",
      channel: "email",
      templateId,
      ...(profilingByCause ? { profilingByCause: true } : {}),
    };
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
  return { customer, withdrawProfiling, planned, decisions };
}

describe("profiling consent at send time for a follow-up on a behavioural campaign's doing", () => {
  it("skips the queued follow-up of a customer who withdrew profiling consent after planning", async () => {
    const { customer, withdrawProfiling, planned, decisions } = await setup();
    const withdrew = await customer();
    const kept = await customer();
    const toWithdrew = await planned(withdrew, true);
    const toKept = await planned(kept, true);
    await withdrawProfiling(withdrew);
    expect(await decisions()).toEqual({ [toWithdrew]: "no_profiling_consent", [toKept]: "send" });
  });

  it("leaves a step without the mark to marketing consent alone", async () => {
    const { customer, withdrawProfiling, planned, decisions } = await setup();
    const withdrew = await customer();
    const unmarked = await planned(withdrew, false);
    await withdrawProfiling(withdrew);
    expect(await decisions()).toEqual({ [unmarked]: "send" });
  });
});
