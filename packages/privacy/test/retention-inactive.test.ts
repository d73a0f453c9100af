import { ProgrammeConfig, RegisterCustomerRequest } from "@regulars/contracts";
import { registerCustomer, setConsents } from "@regulars/customers-store";
import type { Db } from "@regulars/db";
import { stableId } from "@regulars/ids";
import { applyEventBatch, awardBonusPoints, campaignActor } from "@regulars/ledger-store";
import { createLogger } from "@regulars/logger";
import { ProgrammeCache } from "@regulars/programme";
import { testDb, testTenant } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyRetention, setRetention } from "../src/index.ts";

// "Erase customers inactive for N months" judges activity by more than purchases: a customer who earns action points,
// changes a consent or opens the messages without buying is not inactive, and an erasure cannot be undone.

let db: Db;
const log = createLogger({ level: "silent" });
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

const DAY = 86_400_000;
let n = 0;
const tag = () => `${Date.now().toString(36)}${(++n).toString(36)}`;

/** A tenant erasing customers inactive for 12 months, whose programme pays 50 points for a feedback. */
async function tenantErasingAfterAYear(name: string) {
  const { tenantId } = await testTenant(db, name);
  await db.programmeVersion.create({
    data: {
      tenantId,
      version: 2,
      effectiveFrom: new Date(0),
      config: ProgrammeConfig.parse({
        rules: [
          { id: "base", type: "base_rate", pointsPerUnit: 1, unitMinor: 100 },
          { id: "feedback", type: "action", event: "feedback_submitted", points: 50, limit: "per_event" },
        ],
      }),
      createdBy: "test",
    },
  });
  await setRetention(db, tenantId, { eraseInactiveMonths: 12 }, "key_admin");
  return tenantId;
}

/** An app customer who registered 800 days before `now` and never bought anything. */
async function longAgoMember(tenantId: string, now: Date) {
  const since = new Date(now.getTime() - 800 * DAY);
  const { customer } = await registerCustomer(
    db,
    tenantId,
    RegisterCustomerRequest.parse({ externalIdentity: { provider: "brand", subject: `s-${tag()}` } }),
    { actor: "key_app", source: "app", now: since },
  );
  await db.customer.update({ where: { id: customer.id }, data: { createdAt: since } });
  await db.customerProfile.updateMany({ where: { customerId: customer.id }, data: { updatedAt: since } });
  return customer.id;
}

const erasedAt = async (customerId: string) =>
  (await db.customer.findUniqueOrThrow({ where: { id: customerId } })).erasedAt;

/** An app event of `type` for the customer, a day before `now`, decided by the ledger as the worker decides it. */
async function appEventYesterday(tenantId: string, customerId: string, type: string, now: Date) {
  const eventId = `E-${tag()}`;
  const event = {
    eventId,
    type,
    occurredAt: new Date(now.getTime() - DAY).toISOString(),
    customer: { id: customerId },
    channel: "app" as const,
    properties: {},
  };
  await applyEventBatch(db, new ProgrammeCache(db, 0), [
    { tenantId, id: stableId("event", tenantId, eventId), receivedAt: event.occurredAt, event },
  ]);
}

/** A text message to the customer, sent and clicked a day before `now`. */
async function clickedYesterday(tenantId: string, customerId: string, now: Date) {
  const y = new Date(now.getTime() - DAY);
  await db.$executeRaw`
    INSERT INTO messages (id, tenant_id, customer_id, channel, language, to_address, content, status, send_at,
      next_attempt_at, sent_at, clicked_at)
    VALUES (${`msg_${tag()}`}, ${tenantId}, ${customerId}, 'sms', 'en', '+48500000000', '{}'::jsonb, 'clicked', ${y},
      ${y}, ${y}, ${y})`;
}

/**
 * The merge's record alone, as a merge leaves it for what stays under the merged id (movements, messages, events):
 * what a merge moves (sales, identities, push devices) is moved in the tests of @regulars/customers-store.
 */
async function mergedInto(tenantId: string, mergedId: string, intoId: string, at: Date) {
  await db.$executeRaw`
    INSERT INTO customer_merges (merged_id, tenant_id, into_id, merged_at)
    VALUES (${mergedId}, ${tenantId}, ${intoId}, ${at})`;
}

/** A customer of `longAgoMember` at a tenant of `tenantErasingAfterAYear`, judged at `now`. */
async function longAgoMemberAt(tenantName: string) {
  const tenantId = await tenantErasingAfterAYear(tenantName);
  const now = new Date();
  return { tenantId, now, customerId: await longAgoMember(tenantId, now) };
}

/** Two long-ago members of one such tenant: `merged` is to be merged into `survivor` by the test. */
async function survivorAndMergedAt(tenantName: string) {
  const tenantId = await tenantErasingAfterAYear(tenantName);
  const now = new Date();
  const survivor = await longAgoMember(tenantId, now);
  const merged = await longAgoMember(tenantId, now);
  return { tenantId, now, survivor, merged };
}

/** A retention pass at `now` that erases nobody, and leaves each of `customerIds` as it was. */
async function expectKept(tenantId: string, now: Date, ...customerIds: string[]) {
  expect(await applyRetention({ db, log, tenantId, now })).toEqual({ acted: 0, outbox: [] });
  for (const customerId of customerIds) expect(await erasedAt(customerId)).toBeNull();
}

describe("apply-retention's inactive customers", () => {
  it("keeps a customer whose only activity within the period is an app event that paid action points", async () => {
    const { tenantId, now, customerId } = await longAgoMemberAt("Feedback Retention Burgers");
    await appEventYesterday(tenantId, customerId, "feedback_submitted", now);
    expect(await db.ledgerMovement.count({ where: { tenantId, customerId, kind: "bonus" } })).toBe(1);

    await expectKept(tenantId, now, customerId);
  });

  it("keeps a customer whose only activity within the period is a consent change", async () => {
    const { tenantId, now, customerId } = await longAgoMemberAt("Consent Retention Burgers");
    await setConsents(
      db,
      tenantId,
      customerId,
      {
        consents: [{ channel: "email", purpose: "marketing", granted: false }],
        occurredAt: new Date(now.getTime() - DAY).toISOString(),
      },
      { actor: "key_app", source: "app", now },
    );

    await expectKept(tenantId, now, customerId);
  });

  it("keeps a customer whose only activity within the period is an app event that paid nothing", async () => {
    const { tenantId, now, customerId } = await longAgoMemberAt("App Open Retention Burgers");
    await appEventYesterday(tenantId, customerId, "app_open", now);
    expect(await db.ledgerMovement.count({ where: { tenantId, customerId } })).toBe(0);

    await expectKept(tenantId, now, customerId);
  });

  it("keeps a survivor whose merged-away customer clicked a message yesterday, merged an hour ago", async () => {
    const { tenantId, now, survivor, merged } = await survivorAndMergedAt("Merged Click Retention Burgers");
    await clickedYesterday(tenantId, merged, now);
    await mergedInto(tenantId, merged, survivor, new Date(now.getTime() - 3_600_000));

    await expectKept(tenantId, now, survivor, merged);
  });

  it("keeps a survivor whose merged-away customer (merged long ago) sent an app event yesterday", async () => {
    const { tenantId, now, survivor, merged } = await survivorAndMergedAt("Merged Event Retention Burgers");
    await mergedInto(tenantId, merged, survivor, new Date(now.getTime() - 500 * DAY));
    // Recorded under the merged-away id, as an integrator still naming it leaves it.
    await db.$executeRaw`
      INSERT INTO applied_events (tenant_id, event_id, applied_at, status, customer_id, points)
      VALUES (${tenantId}, ${`E-${tag()}`}, ${new Date(now.getTime() - DAY)}, 'processed', ${merged}, 0)`;

    await expectKept(tenantId, now, survivor);
  });

  it("keeps a survivor of a merge made within the period, though neither customer did anything else", async () => {
    const { tenantId, now, survivor, merged } = await survivorAndMergedAt("Recent Merge Retention Burgers");
    await mergedInto(tenantId, merged, survivor, new Date(now.getTime() - 30 * DAY));

    await expectKept(tenantId, now, survivor);
  });

  it("erases a survivor merged long ago whose customers did nothing since, both ids with it, once", async () => {
    const { tenantId, now, survivor, merged } = await survivorAndMergedAt("Old Merge Retention Burgers");
    await clickedYesterday(tenantId, merged, new Date(now.getTime() - 600 * DAY));
    await mergedInto(tenantId, merged, survivor, new Date(now.getTime() - 500 * DAY));

    // The merged-away id is never a candidate of its own: one erasure, the survivor's, which erases both.
    const pass = await applyRetention({ db, log, tenantId, now });
    expect(pass.acted).toBe(1);
    expect(await erasedAt(survivor)).toEqual(now);
    expect(await erasedAt(merged)).toEqual(now);
  });

  it("still erases a customer whose only movement in the period is a campaign's bonus", async () => {
    const { tenantId, now, customerId } = await longAgoMemberAt("Birthday Bonus Retention Burgers");
    const yesterday = new Date(now.getTime() - DAY);
    const programme = await new ProgrammeCache(db, 0).inForce(tenantId, yesterday);
    // As a birthday campaign's award_points step posts it.
    await awardBonusPoints(
      db,
      tenantId,
      campaignActor(`cmp_${tag()}`),
      { customerId, points: 100, reason: "happy birthday", idempotencyKey: `step_${tag()}` },
      programme!,
      yesterday,
    );
    expect(await db.ledgerMovement.count({ where: { tenantId, customerId, kind: "bonus" } })).toBe(1);

    const pass = await applyRetention({ db, log, tenantId, now });
    expect(pass.outbox.map((o) => o.type)).toEqual(["customer.erased"]);
    expect(await erasedAt(customerId)).toEqual(now);
  });

  it("still erases a customer whose only movements in the period are a tier job's reward and its release", async () => {
    const { tenantId, now, customerId } = await longAgoMemberAt("Tier Reward Retention Burgers");
    // As the tier job posts a reward when a new programme version raises a member (`tierRewardKey` of the version),
    // and the release job makes pending points spendable: neither names an actor.
    const posted = (kind: string, idempotencyKey: string, days: number) => ({
      id: `mov_${tag()}`,
      tenantId,
      customerId,
      kind,
      unit: "points",
      amount: 50n,
      idempotencyKey,
      occurredAt: new Date(now.getTime() - days * DAY),
    });
    const reward = `tier-reward:${customerId}:gold:programme:3`;
    await db.ledgerMovement.createMany({
      data: [posted("bonus", reward, 20), posted("release", `release:${reward}`, 5)],
    });

    const pass = await applyRetention({ db, log, tenantId, now });
    expect(pass.outbox.map((o) => o.type)).toEqual(["customer.erased"]);
    expect(await erasedAt(customerId)).toEqual(now);
  });

  it("keeps a customer whose only movement in the period is the tier reward of their own sale", async () => {
    const { tenantId, now, customerId } = await longAgoMemberAt("Sale Tier Reward Retention Burgers");
    await db.ledgerMovement.create({
      data: {
        id: `mov_${tag()}`,
        tenantId,
        customerId,
        kind: "bonus",
        unit: "points",
        amount: 50n,
        idempotencyKey: `tier-reward:${customerId}:gold:txn_${tag()}`,
        occurredAt: new Date(now.getTime() - DAY),
      },
    });

    await expectKept(tenantId, now, customerId);
  });

  it("still erases a customer inactive all period, whose points the programme expired meanwhile", async () => {
    const { tenantId, now, customerId } = await longAgoMemberAt("Dormant Retention Burgers");
    const consentedAt = new Date(now.getTime() - 500 * DAY);
    await setConsents(
      db,
      tenantId,
      customerId,
      { consents: [{ channel: "sms", purpose: "marketing", granted: true }], occurredAt: consentedAt.toISOString() },
      { actor: "key_app", source: "app", now: consentedAt },
    );
    // An expiry is the programme acting on an inactive customer, not the customer acting.
    await db.ledgerMovement.create({
      data: {
        id: `mov_${tag()}`,
        tenantId,
        customerId,
        kind: "expire",
        unit: "points",
        amount: -5n,
        idempotencyKey: `expire:inactive:${customerId}`,
        occurredAt: new Date(now.getTime() - DAY),
      },
    });

    const pass = await applyRetention({ db, log, tenantId, now });
    expect(pass.outbox.map((o) => o.type)).toEqual(["customer.erased"]);
    expect(await erasedAt(customerId)).toEqual(now);
  });
});
