import { ConsentChanged, RegisterCustomerRequest } from "@regulars/contracts";
import { registerCustomer, setConsents } from "@regulars/customers-store";
import type { Db } from "@regulars/db";
import { outboxBatch, outboxEventsOf, outboxItem, writeOutbox } from "@regulars/ledger-store";
import { createLogger } from "@regulars/logger";
import { testAnalytics, testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eraseCustomer, finishErasures, postgresTextHits } from "../src/index.ts";
import { privacyTenant } from "./fixtures.ts";

// consent.changed names the customer's choice (channel, purpose, granted) and where they made it (`source`, which
// staff type for a paper form): a copy of the consent history erasure deletes. Its outbox copies go with it,
// published or not (README, "Consent proof vs erasure").

let db: Db;
let analytics: Awaited<ReturnType<typeof testAnalytics>>;
const log = createLogger({ level: "silent" });
beforeAll(async () => {
  db = testDb();
  analytics = await testAnalytics();
});
afterAll(async () => {
  await analytics?.dispose();
  await db?.$disconnect();
});

let n = 0;
const tag = () => `${Date.now().toString(36)}${(++n).toString(36)}${Math.random().toString(36).slice(2, 6)}`;
const admin = (now: Date) => ({ actor: "key_admin", cause: "request" as const, now });

async function member(tenantId: string, now: Date) {
  const { customer } = await registerCustomer(
    db,
    tenantId,
    RegisterCustomerRequest.parse({ externalIdentity: { provider: "app", subject: `consents-${tag()}` } }),
    { actor: "key_app", source: "app", now },
  );
  return customer.id;
}

/** Choices an admin records from a paper form, with the source they typed. */
const recordPaperForm = (tenantId: string, customerId: string, source: string, now: Date) =>
  setConsents(
    db,
    tenantId,
    customerId,
    {
      consents: [
        { channel: "sms", purpose: "marketing", granted: true },
        { channel: "email", purpose: "profiling", granted: true },
      ],
    },
    { actor: "staff_manager", source, now },
  );

const consentChanged = (tenantId: string, customerId: string, source: string, now: Date) =>
  ConsentChanged.parse({
    type: "consent.changed",
    id: `consent.changed:cns_${tag()}`,
    tenantId,
    customerId,
    occurredAt: now.toISOString(),
    channel: "push",
    purpose: "marketing",
    granted: false,
    source,
  });

/** The outbox's events (batch rows expanded) naming the customer, with what they say about them. */
const eventsOf = async (tenantId: string, customerId: string) =>
  (await outboxEventsOf(db, tenantId)).filter((e) => (e.payload as { customerId?: string }).customerId === customerId);

const consentSources = async (tenantId: string) =>
  (await outboxEventsOf(db, tenantId, "consent.changed")).map((e) => (e.payload as ConsentChanged).source);

describe("erasure of consent.changed copies in the outbox", () => {
  it("takes the customer's choices and their typed source out of published and unpublished rows alike", async () => {
    const { tenantId } = await privacyTenant(db, "Consent Event Burgers");
    const now = new Date();
    const [gone, kept] = [await member(tenantId, now), await member(tenantId, now)];
    const [source, keptSource] = [`store:paper-form-${tag()}`, `store:paper-form-${tag()}`];
    await recordPaperForm(tenantId, gone, source, now);
    await recordPaperForm(tenantId, kept, keptSource, now);
    // Published, as the writer's process does right after its commit.
    await db.$executeRaw`UPDATE outbox_events SET published_at = now() WHERE tenant_id = ${tenantId}`;
    // Still unpublished: a batch row with the other customer's change, and one of the customer's alone (their id
    // then shared by every event of the row).
    await writeOutbox(
      db,
      outboxBatch(
        [consentChanged(tenantId, gone, source, now), consentChanged(tenantId, kept, keptSource, now)].map(outboxItem),
      ),
    );
    await writeOutbox(db, outboxBatch([1, 2].map(() => outboxItem(consentChanged(tenantId, gone, source, now)))));
    expect(await postgresTextHits(db, [source])).toEqual(
      expect.arrayContaining(["customer_consents.source", "outbox_events.payload"]),
    );

    await eraseCustomer({ db, analytics }, tenantId, gone, admin(now));

    expect(await postgresTextHits(db, [source])).toEqual([]);
    // What stays of the customer in the outbox names no choice of theirs.
    const left = await eventsOf(tenantId, gone);
    expect(left.map((e) => e.type)).toContain("customer.erased");
    for (const e of left) expect(Object.keys(e.payload as object)).not.toEqual(expect.arrayContaining(["granted"]));
    // The other customer's changes stay as they were, in their own rows and in the batch row.
    expect(await consentSources(tenantId)).toEqual([keptSource, keptSource, keptSource]);
  });

  it("takes out a copy written after the erasure in the sweep of recent erasures", async () => {
    const { tenantId } = await privacyTenant(db, "Late Consent Burgers");
    const now = new Date();
    const [gone, kept] = [await member(tenantId, now), await member(tenantId, now)];
    await eraseCustomer({ db, analytics }, tenantId, gone, admin(now));
    const later = new Date(now.getTime() + 60_000);
    const [source, keptSource] = [`store:paper-form-${tag()}`, `store:paper-form-${tag()}`];
    await writeOutbox(db, [outboxItem(consentChanged(tenantId, gone, source, later))]);
    await writeOutbox(
      db,
      outboxBatch(
        [consentChanged(tenantId, kept, keptSource, later), consentChanged(tenantId, gone, source, later)].map(
          outboxItem,
        ),
      ),
    );
    expect(await postgresTextHits(db, [source])).toEqual(["outbox_events.payload"]);

    await finishErasures({ db, log, tenantId, now: later, analytics });

    expect(await postgresTextHits(db, [source])).toEqual([]);
    expect(await consentSources(tenantId)).toEqual([keptSource]);
  });
});
