import {
  type CustomerRef,
  type EventMessage,
  MessageClicked,
  MessageFailed,
  RegisterCustomerRequest,
} from "@regulars/contracts";
import { registerCustomer } from "@regulars/customers-store";
import type { Db } from "@regulars/db";
import { stableId } from "@regulars/ids";
import { applyEventBatch, outboxBatch, outboxEventsOf, outboxItem, writeOutbox } from "@regulars/ledger-store";
import { createLogger } from "@regulars/logger";
import { ProgrammeCache } from "@regulars/programme";
import { testAnalytics, testDb } from "@regulars/testing";
import { enqueueDeliveries, type FanOutEvent } from "@regulars/webhooks-store";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eraseCustomer, erasedText, finishErasures, postgresTextHits } from "../src/index.ts";
import { privacyTenant } from "./fixtures.ts";

// Copies of domain events the platform keeps for delivery: the outbox (where a batch row holds many customers'
// events) and webhook deliveries. Erasure takes the customer's personal data out of them and leaves the rest.

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
const tag = () => `${Date.now().toString(36)}${(++n).toString(36)}`;
const admin = (now: Date) => ({ actor: "key_admin", cause: "request" as const, now });
/** The outbox published, as the system that wrote it would have: see `settleOutbox` in erase.test.ts. */
const settleOutbox = (tenantId: string) =>
  db.$executeRaw`UPDATE outbox_events SET published_at = now() WHERE tenant_id = ${tenantId} AND published_at IS NULL`;

async function member(tenantId: string, now: Date) {
  const phone = `+48602${String(Math.floor(Math.random() * 1e6)).padStart(6, "0")}`;
  const registered = await registerCustomer(
    db,
    tenantId,
    RegisterCustomerRequest.parse({ phone, phoneVerified: true }),
    { actor: "key_app", source: "app", now },
  );
  return { customerId: registered.customer.id, phone };
}

const appEvent = (tenantId: string, customer: CustomerRef, note: string, now: Date): EventMessage => {
  const eventId = `E-${tag()}`;
  return {
    tenantId,
    id: stableId("event", tenantId, eventId),
    receivedAt: now.toISOString(),
    event: {
      eventId,
      type: "feedback_submitted",
      occurredAt: new Date(now.getTime() - 60_000).toISOString(),
      customer,
      channel: "app",
      properties: { note },
    },
  };
};

/** Applies events as the events worker does: every event.recorded of one call in one outbox batch row. */
const applyEvents = (...messages: EventMessage[]) => applyEventBatch(db, new ProgrammeCache(db, 0), messages);

const recordedNotes = async (tenantId: string) =>
  (await outboxEventsOf(db, tenantId, "event.recorded"))
    .map((e) => e.payload as { customerId: string; properties: { note: string } })
    .map((p) => [p.customerId, p.properties.note]);

/** A message's events as the messages store announces them (one outbox row each, unless batched). */
const messageOf = (tenantId: string, customerId: string, now: Date) => {
  const messageId = `msg_${tag()}`;
  const base = {
    tenantId,
    customerId,
    messageId,
    campaignId: "cmp_spring",
    channel: "email" as const,
    occurredAt: now.toISOString(),
  };
  return {
    clicked: (url: string) =>
      MessageClicked.parse({ ...base, type: "message.clicked", id: `message.clicked:${messageId}:${tag()}`, url }),
    failed: (reason: string) =>
      MessageFailed.parse({
        ...base,
        type: "message.failed",
        id: `message.failed:${messageId}`,
        code: "rejected",
        reason,
      }),
  };
};

const messageCopies = async (tenantId: string) =>
  (await outboxEventsOf(db, tenantId)).filter((e) => e.type.startsWith("message."));

describe("erasure of delivery copies", () => {
  it("takes the customer's events out of outbox batch rows, at erasure and in the sweep, keeping others'", async () => {
    const { tenantId } = await privacyTenant(db, "Batch Burgers");
    const now = new Date();
    const [gone, kept] = [await member(tenantId, now), await member(tenantId, now)];
    const secret = [`peanut allergy ${tag()}`, `table by the window ${tag()}`, `late ${tag()}`];
    const keptNote = `extra spicy ${tag()}`;
    await applyEvents(
      appEvent(tenantId, { phone: gone.phone }, secret[0]!, now),
      appEvent(tenantId, { phone: kept.phone }, keptNote, now),
    );
    // A batch of the customer's events alone: their id is then a field every event shares.
    await applyEvents(
      appEvent(tenantId, { phone: gone.phone }, secret[1]!, now),
      appEvent(tenantId, { phone: gone.phone }, secret[1]!, now),
    );
    await settleOutbox(tenantId);
    expect(await db.outboxEvent.count({ where: { tenantId, type: "outbox.batch" } })).toBe(2);
    expect(await postgresTextHits(db, secret.slice(0, 2))).toEqual(["outbox_events.payload"]);

    await eraseCustomer({ db, analytics }, tenantId, gone.customerId, admin(now));
    expect(await postgresTextHits(db, secret.slice(0, 2))).toEqual([]);
    expect(await recordedNotes(tenantId)).toEqual([[kept.customerId, keptNote]]);

    // An event naming the erased customer's id that arrives later, batched with another customer's: the id is no
    // one's now (refused as an unknown customer), so nothing of it is stored for the sweep to find.
    const later = new Date(now.getTime() + 60_000);
    await applyEvents(
      appEvent(tenantId, { id: gone.customerId }, secret[2]!, later),
      appEvent(tenantId, { phone: kept.phone }, keptNote, later),
    );
    await settleOutbox(tenantId);
    expect(await postgresTextHits(db, [secret[2]!])).toEqual([]);
    await finishErasures({ db, log, tenantId, now: later, analytics });
    expect(await postgresTextHits(db, secret)).toEqual([]);
    expect(await recordedNotes(tenantId)).toEqual([
      [kept.customerId, keptNote],
      [kept.customerId, keptNote],
    ]);
  });

  it("keeps message events for campaign figures, cutting the customer's links to their site and erasing failure reasons", async () => {
    const { tenantId } = await privacyTenant(db, "Message Copy Burgers");
    const now = new Date();
    const [gone, kept] = [await member(tenantId, now), await member(tenantId, now)];
    // What a template rendered into a link and a provider wrote back: the customer's e-mail.
    const email = `ada.${tag()}@mail.example`;
    const link = `https://brand.example/p?email=${email}`;
    const bounce = `rejected: 550 <${email}>: no such user`;
    const keptLink = `https://brand.example/p?ref=${tag()}`;
    const [a, b, c, d] = [1, 2, 3, 4].map(() => messageOf(tenantId, gone.customerId, now));
    const [k1, k2] = [1, 2].map(() => messageOf(tenantId, kept.customerId, now));
    const userInfoLink = `https://ada:${email}@brand.example/u`;
    const sameLink = `https://brand.example/offer?code=${tag()}`;
    const rows = [
      // Rows of their own, as the messages store writes them.
      [outboxItem(a!.clicked(link))],
      [outboxItem(a!.failed(bounce))],
      // Batch rows: with another customer's events; of the customer's alone (id and link then shared by every
      // event); a link both customers followed (shared, while the customer's id is not).
      outboxBatch([b!.clicked(`${link}&x=1`), b!.failed(bounce), k1!.clicked(keptLink)].map(outboxItem)),
      outboxBatch([b!.clicked(userInfoLink), c!.clicked(userInfoLink)].map(outboxItem)),
      outboxBatch([k2!.clicked(sameLink), d!.clicked(sameLink)].map(outboxItem)),
    ];
    for (const items of rows) await writeOutbox(db, items);
    await settleOutbox(tenantId);
    expect(await db.outboxEvent.count({ where: { tenantId, type: "outbox.batch" } })).toBe(3);
    const before = await messageCopies(tenantId);
    expect(before).toHaveLength(9);
    expect(await postgresTextHits(db, [email])).toEqual(["outbox_events.payload"]);

    await eraseCustomer({ db, analytics }, tenantId, gone.customerId, admin(now));
    expect(await postgresTextHits(db, [email])).toEqual([]);
    // Every event still there (the campaign's clicks and failures count them), the customer's without what named them.
    expect(await messageCopies(tenantId)).toEqual(
      before.map((e) => {
        const p = e.payload as { customerId: string; type: string };
        if (p.customerId !== gone.customerId) return e;
        const redacted = p.type === "message.clicked" ? { url: "https://brand.example" } : { reason: erasedText };
        return { ...e, payload: { ...p, ...redacted } };
      }),
    );

    // A copy written after the erasure: the sweep of recent erasures cuts it too.
    const later = new Date(now.getTime() + 60_000);
    const late = c!.clicked(link);
    await writeOutbox(db, [outboxItem(late)]);
    expect(await postgresTextHits(db, [email])).toEqual(["outbox_events.payload"]);
    await finishErasures({ db, log, tenantId, now: later, analytics });
    expect(await postgresTextHits(db, [email])).toEqual([]);
    expect((await messageCopies(tenantId)).find((e) => e.id === late.id)?.payload).toEqual({
      ...late,
      url: "https://brand.example",
    });
  });

  it("keeps the pending customer.erased delivery through the sweeps, deleting the customer's others", async () => {
    const { tenantId } = await privacyTenant(db, "Webhook Burgers");
    const now = new Date();
    const c = await member(tenantId, now);
    // The tenant's receiver is down: nothing is ever delivered here.
    await db.webhookEndpoint.create({
      data: {
        id: `whe_${tag()}`,
        tenantId,
        url: "https://hooks.example.invalid/regulars",
        eventTypes: ["*"],
        secret: "whsec_test",
        createdBy: "key_admin",
      },
    });
    const erased = await eraseCustomer({ db, analytics }, tenantId, c.customerId, admin(now));
    await settleOutbox(tenantId);
    const later = new Date(now.getTime() + 60_000);
    const latePoints: FanOutEvent = {
      type: "points.earned",
      id: `points.earned:${tag()}`,
      tenantId,
      customerId: c.customerId,
      occurredAt: now.toISOString(),
      points: 5,
      balance: 5,
      movementKind: "bonus",
      transactionId: null,
      pending: false,
    };
    await enqueueDeliveries(db, [...erased.outbox.map((o) => o.payload as FanOutEvent), latePoints], later);
    const types = (await db.webhookDelivery.findMany({ where: { tenantId } })).map((d) => d.eventType);
    expect(types).toEqual(expect.arrayContaining(["customer.erased", "points.earned"]));

    await finishErasures({ db, log, tenantId, now: later, analytics });
    await finishErasures({ db, log, tenantId, now: new Date(later.getTime() + 86_400_000), analytics });
    const left = await db.webhookDelivery.findMany({ where: { tenantId } });
    expect(left.map((d) => [d.eventType, d.status])).toEqual([["customer.erased", "pending"]]);
    // Ids only: the notice names whom to forget, nothing more.
    expect(Object.keys((left[0]!.payload as { data: object }).data).sort()).toEqual(
      ["cause", "customerId", "id", "occurredAt", "type"].sort(),
    );
  });
});
