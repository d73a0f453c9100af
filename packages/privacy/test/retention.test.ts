import type { Db } from "@regulars/db";
import { createLogger } from "@regulars/logger";
import { testAnalytics, testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyRetention, defaultRetention, getRetention, setRetention } from "../src/index.ts";
import { privacyTenant, seedCustomer } from "./fixtures.ts";

// Retention settings and the apply-retention job, run with an injected clock some months after the data.

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

const DAY = 86_400_000;

describe("retention settings", () => {
  it("are the defaults until changed; a change keeps the other settings and is audited", async () => {
    const { tenantId } = await privacyTenant(db, "Settings Burgers");
    expect(await getRetention(db, tenantId)).toEqual({ ...defaultRetention, isDefault: true });
    expect(await setRetention(db, tenantId, { eraseInactiveMonths: 24 }, "key_admin")).toEqual({
      ...defaultRetention,
      eraseInactiveMonths: 24,
    });
    await setRetention(db, tenantId, { eventsMonths: null }, "key_admin");
    expect(await getRetention(db, tenantId)).toEqual({
      eventsMonths: null,
      devMessagesDays: defaultRetention.devMessagesDays,
      eraseInactiveMonths: 24,
      isDefault: false,
    });
    const audit = await db.auditLog.findMany({
      where: { tenantId, action: "privacy.retention.set" },
      orderBy: { id: "asc" },
    });
    expect(audit.map((a) => a.details)).toEqual([
      { before: defaultRetention, after: { ...defaultRetention, eraseInactiveMonths: 24 } },
      {
        before: { ...defaultRetention, eraseInactiveMonths: 24 },
        after: { ...defaultRetention, eventsMonths: null, eraseInactiveMonths: 24 },
      },
    ]);
  });
});

describe("apply-retention", () => {
  it("deletes old messages and events and erases dormant customers as of its clock, once", async () => {
    const { tenantId } = await privacyTenant(db, "Retention Burgers");
    const now = new Date();
    const later = new Date(now.getTime() + 400 * DAY);
    await setRetention(db, tenantId, { eventsMonths: 3, devMessagesDays: 10, eraseInactiveMonths: 12 }, "key_admin");
    const dormant = await seedCustomer(db, analytics, tenantId, now);
    const active = await db.customer.create({
      data: {
        id: `cus_active${now.getTime()}`,
        tenantId,
        phone: "+48601999888",
        createdVia: "pos",
        createdAt: new Date(later.getTime() - DAY),
      },
    });
    await db.devMessage.create({
      data: {
        id: `msg_recent${now.getTime()}`,
        tenantId,
        customerId: active.id,
        channel: "sms",
        recipient: "+48601999888",
        body: "Hi",
        createdAt: new Date(later.getTime() - DAY),
      },
    });
    await analytics.insertEvents([
      {
        tenantId,
        eventId: `ev_recent${now.getTime()}`,
        type: "app_open",
        occurredAt: new Date(later.getTime() - DAY).toISOString(),
        customerId: active.id,
        locationId: null,
        channel: "app",
        properties: {},
      },
    ]);

    const first = await applyRetention({ db, log, tenantId, now: later, analytics });
    // The dormant customer's message and event by their age, then the customer by inactivity.
    expect(first.acted).toBe(3);
    expect(first.outbox.map((o) => o.type)).toEqual(["customer.erased"]);
    expect((await db.customer.findUniqueOrThrow({ where: { id: dormant.customerId } })).erasedAt).toEqual(later);
    expect((await db.customer.findUniqueOrThrow({ where: { id: active.id } })).erasedAt).toBeNull();
    expect(await db.devMessage.findMany({ where: { tenantId }, select: { customerId: true } })).toEqual([
      { customerId: active.id },
    ]);
    expect(await analytics.countEvents(tenantId)).toBe(1);
    expect(await analytics.countEvents(tenantId, { customerId: active.id })).toBe(1);
    const audit = await db.auditLog.findFirstOrThrow({ where: { tenantId, action: "privacy.erase" } });
    expect(audit).toMatchObject({ actor: "system:retention", target: dormant.customerId });

    expect(await applyRetention({ db, log, tenantId, now: later, analytics })).toEqual({ acted: 0, outbox: [] });
  });

  it("keeps everything a tenant keeps, and erases no one by default", async () => {
    const { tenantId } = await privacyTenant(db, "Default Burgers");
    const now = new Date();
    const c = await seedCustomer(db, analytics, tenantId, now);
    const soon = new Date(now.getTime() + 5 * DAY);
    expect(await applyRetention({ db, log, tenantId, now: soon, analytics })).toEqual({ acted: 0, outbox: [] });
    expect((await db.customer.findUniqueOrThrow({ where: { id: c.customerId } })).erasedAt).toBeNull();
    expect(await db.devMessage.count({ where: { tenantId } })).toBe(1);
  });
});
