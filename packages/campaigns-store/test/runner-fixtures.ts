import { createCampaign as createCouponCampaign } from "@regulars/checkout-store";
import { CampaignDefinition, type CampaignDefinitionInput, DomainEvent } from "@regulars/contracts";
import type { Db, DbTx } from "@regulars/db";
import { newId } from "@regulars/ids";
import { ProgrammeCache } from "@regulars/programme";
import { testDb, testTenant } from "@regulars/testing";
import { afterAll } from "vitest";
import {
  ActiveCampaignCache,
  type CampaignMessageRequest,
  claimDueSteps,
  enrolFromEvent,
  type QueueCampaignMessage,
  runStep,
  type StepEffects,
  type StepOutcome,
} from "../src/index.ts";

/** Times relative to the clock the test chooses: never a calendar date. */
export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;
export const later = (t: Date, ms: number) => new Date(t.getTime() + ms);

/**
 * The test file's database, closed after its tests, and a campaign cache that keeps nothing (each test enrols with
 * the campaigns it just saved).
 */
export function runnerDb(): { db: Db; cache: ActiveCampaignCache } {
  const db = testDb();
  afterAll(async () => {
    await db.$disconnect();
  });
  return { db, cache: new ActiveCampaignCache(db, 0) };
}

export async function runnerTenant(db: Db, timezone = "Europe/Warsaw") {
  const tenant = await testTenant(db, "Campaign Runner Grill", timezone);
  return { tenantId: tenant.tenantId, timezone };
}

export interface CustomerSetup {
  email?: boolean;
  phone?: boolean;
  push?: boolean;
  /** Channels with a marketing grant in force. */
  consents?: ("push" | "sms" | "email")[];
  /** Channels with a profiling grant in force; the `consents` channels when absent (a sign-up with every consent). */
  profiling?: ("push" | "sms" | "email")[];
  dateOfBirth?: string | null;
  createdAt?: Date;
  lastActivityAt?: Date;
}

/**
 * A customer reachable as asked: e-mail, phone, a push device, marketing and profiling consents granted a day before
 * `at`.
 */
export async function addCustomer(db: Db, tenantId: string, setup: CustomerSetup = {}, at = new Date()) {
  const id = newId("customer");
  await db.customer.create({
    data: {
      id,
      tenantId,
      createdVia: "test",
      email: setup.email === false ? null : `${id}@example.com`,
      phone: setup.phone ? "+48600100200" : null,
      dateOfBirth: setup.dateOfBirth ? new Date(`${setup.dateOfBirth}T00:00:00Z`) : null,
      createdAt: setup.createdAt ?? later(at, -30 * DAY),
    },
  });
  if (setup.push)
    await db.$executeRaw`
      INSERT INTO customer_push_tokens (tenant_id, device_id, customer_id, platform, token)
      VALUES (${tenantId}, ${`dev-${id}`}, ${id}, 'ios', ${`tok-${id}`})`;
  const grants = [
    ...(setup.consents ?? []).map((channel) => ({ channel, purpose: "marketing" })),
    ...(setup.profiling ?? setup.consents ?? []).map((channel) => ({ channel, purpose: "profiling" })),
  ];
  for (const { channel, purpose } of grants)
    await db.customerConsent.create({
      data: {
        id: newId("event"),
        tenantId,
        customerId: id,
        channel,
        purpose,
        granted: true,
        source: "test",
        occurredAt: later(at, -DAY),
      },
    });
  if (setup.lastActivityAt)
    await db.customerLoyalty.create({ data: { customerId: id, tenantId, lastActivityAt: setup.lastActivityAt } });
  return id;
}

/** A campaign with its first version, as the admin would save it (status on the row and in the definition). */
export async function addCampaign(
  db: Db,
  tenantId: string,
  input: Omit<CampaignDefinitionInput, "name"> & { name?: string },
  row: { nextRunAt?: Date | null; startedAt?: Date | null } = {},
) {
  const definition = CampaignDefinition.parse({ name: "Runner test", status: "active", ...input });
  const id = newId("campaign");
  await db.campaign.create({
    data: {
      id,
      tenantId,
      name: definition.name,
      status: definition.status,
      triggerType: definition.trigger.type,
      version: 1,
      nextRunAt: row.nextRunAt ?? null,
      startedAt: row.startedAt ?? null,
      createdBy: "test",
    },
  });
  await db.campaignVersion.create({ data: { tenantId, campaignId: id, version: 1, definition, createdBy: "test" } });
  return id;
}

export async function setStatus(db: Db, campaignId: string, status: string) {
  await db.campaign.update({ where: { id: campaignId }, data: { status } });
}

export async function couponCampaign(db: Db, tenantId: string, code = "FRIES") {
  const created = await createCouponCampaign(
    db,
    tenantId,
    {
      name: `Discounted fries ${code}`,
      benefit: { kind: "percent_off", percent: 50, match: { skus: ["FRIES"] } },
      codes: { kind: "generic", code },
    },
    "key_test_admin",
  );
  return created.id;
}

export async function addSegment(db: Db, tenantId: string, members: string[], enteredAt = new Date()) {
  const id = newId("segment");
  await db.segment.create({
    data: { id, tenantId, name: `seg ${id}`, kind: "sql", rawSql: "SELECT 1", createdBy: "test" },
  });
  if (members.length)
    await db.segmentMember.createMany({
      data: members.map((customerId) => ({ segmentId: id, customerId, tenantId, enteredAt })),
    });
  return id;
}

/** A domain event checked against the contract, so a test never feeds the runner something the stream could not. */
export const event = (fields: Record<string, unknown>): DomainEvent => DomainEvent.parse(fields);

/**
 * Queues campaign messages as the messages store does for the runner's purposes: one row per step key, addressed to
 * the customer's e-mail; the coupon it was given is kept in the content so tests can read `{{ coupon.code }}`, the
 * zone planning timed it in in `delivery_zone`.
 */
export const recordingQueue: QueueCampaignMessage = async (tx: DbTx, input: CampaignMessageRequest) => {
  const [existing] = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM messages WHERE step_key = ${input.stepKey}`;
  if (existing) return { messageId: existing.id };
  const id = newId("message");
  await tx.$executeRaw`
    INSERT INTO messages (id, tenant_id, customer_id, campaign_id, step_key, template_id, channel, language, to_address,
      content, send_at, next_attempt_at, delivery_zone)
    VALUES (${id}, ${input.tenantId}, ${input.customerId}, ${input.campaignId}, ${input.stepKey}, ${input.templateId},
      ${input.channel}, 'en', 'someone@example.com', ${JSON.stringify({ coupon: input.coupon ?? null })}::jsonb,
      ${input.sendAt}, ${input.sendAt}, ${input.deliveryZone ?? null})`;
  return { messageId: id };
};

export async function stepsOf(db: Db, campaignId: string) {
  return db.campaignStep.findMany({ where: { campaignId }, orderBy: [{ customerId: "asc" }, { stepIndex: "asc" }] });
}
export async function enrolmentsOf(db: Db, campaignId: string) {
  return db.campaignEnrolment.findMany({
    where: { campaignId },
    orderBy: [{ customerId: "asc" }, { occurrence: "asc" }],
  });
}

/** Runs every step of the tenant due at `now` once, as one executor would. */
export async function runDueSteps(
  db: Db,
  tenantId: string,
  now: Date,
  effects: Partial<StepEffects> = {},
): Promise<StepOutcome[]> {
  const claimed = await claimDueSteps(db, { now, limit: 500, claimMs: 60_000, tenantIds: [tenantId] });
  const outcomes: StepOutcome[] = [];
  for (const step of claimed)
    outcomes.push(
      (
        await runStep(
          db,
          step,
          { queueMessage: recordingQueue, programmes: new ProgrammeCache(db, 0), ...effects },
          now,
        )
      ).outcome,
    );
  return outcomes;
}

export const couponsOf = (db: Db, tenantId: string) => db.walletCoupon.count({ where: { tenantId } });
export const messagesOf = (db: Db, tenantId: string) =>
  db.message.findMany({ where: { tenantId }, orderBy: { sendAt: "asc" } });
export const movementsOf = (db: Db, tenantId: string) =>
  db.ledgerMovement.findMany({ where: { tenantId, kind: "bonus" } });

/** Limits that let a customer enter again at once, so only the cause-depth bound ends a chain of campaigns. */
export const repeatable = { perCustomer: { mode: "repeatable" as const, minGapHours: 0 }, frequencyCaps: [] };
export const thanks = [{ type: "award_points" as const, points: 5, reason: "Thanks" }];

/** What the tenant's steps announced through the outbox so far, of the given types, oldest first. */
export const outboxOf = (db: Db, tenantId: string, types: string[]) => async () =>
  (await db.outboxEvent.findMany({ where: { tenantId, type: { in: types } }, orderBy: { createdAt: "asc" } })).map(
    (a) => DomainEvent.parse(a.payload),
  );

/**
 * Feeds the first event, then round by round what the steps announced (`announced` reads it), as the domain stream
 * would, a second apart from `now`, until nothing new comes or `rounds` have run; the events fed.
 */
export async function feedBack(
  run: { db: Db; cache: ActiveCampaignCache; tenantId: string; now: Date },
  first: DomainEvent,
  announced: () => Promise<DomainEvent[]>,
  rounds = 10,
): Promise<DomainEvent[]> {
  const { db, cache, tenantId, now } = run;
  const fed: DomainEvent[] = [];
  let pending = [first];
  for (let round = 0; round < rounds && pending.length; round++) {
    const at = later(now, round * 1_000);
    for (const e of pending) await enrolFromEvent(db, cache, e, at);
    fed.push(...pending);
    await runDueSteps(db, tenantId, at);
    pending = (await announced()).filter((e) => !fed.some((f) => f.id === e.id));
  }
  return fed;
}
