import type { Db } from "@regulars/db";
import { newId } from "@regulars/ids";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ActiveCampaignCache, enrolFromEvent } from "../src/index.ts";
import { addCampaign, addCustomer, DAY, event, HOUR, runnerTenant, stepsOf } from "./runner-fixtures.ts";

// A sale's messages go out on the clock of the till it was made at: a tenant in Warsaw, a location in New York.

let db: Db;
let cache: ActiveCampaignCache;
beforeAll(() => {
  db = testDb();
  cache = new ActiveCampaignCache(db, 0);
});
afterAll(async () => {
  await db?.$disconnect();
});

const now = new Date();
const NY_TILL = "ny-till";

const localTime = (d: Date, timeZone: string) =>
  new Intl.DateTimeFormat("en-GB", { timeZone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(d);

const saleAt = (tenantId: string, customerId: string, locationId: string) =>
  event({
    type: "transaction.processed",
    id: newId("event"),
    tenantId,
    customerId,
    occurredAt: now.toISOString(),
    transactionId: newId("transaction"),
    externalId: newId("transaction"),
    kind: "sale",
    refundOf: null,
    locationId,
    channel: "pos",
    currency: "EUR",
    total: 700,
    discountTotal: 0,
    points: 7,
    lines: [],
  });

describe("a campaign delivering at a local time on the location's clock", () => {
  it("schedules a sale's message at that time in the zone of the till it was made at", async () => {
    const { tenantId } = await runnerTenant(db, "Europe/Warsaw");
    await db.$executeRaw`
      INSERT INTO locations (tenant_id, id, name, timezone) VALUES (${tenantId}, ${NY_TILL}, 'Manhattan', 'America/New_York')`;
    const campaignId = await addCampaign(db, tenantId, {
      audience: { kind: "none" },
      trigger: { type: "domain_event", eventType: "transaction.processed" },
      actions: [{ type: "send_message", channel: "email", templateId: "tpl_thanks" }],
      delivery: { timing: { at: "local_time", time: "18:00" }, zone: "location" },
      limits: { perCustomer: { mode: "repeatable", minGapHours: 0 } },
    });
    const inNewYork = await addCustomer(db, tenantId, { consents: ["email"] });
    const atHome = await addCustomer(db, tenantId, { consents: ["email"] });

    expect(await enrolFromEvent(db, cache, saleAt(tenantId, inNewYork, NY_TILL), now)).toMatchObject({ entered: 1 });
    // A location without a zone of its own is in the tenant's.
    expect(await enrolFromEvent(db, cache, saleAt(tenantId, atHome, "store-001"), now)).toMatchObject({ entered: 1 });

    const steps = await stepsOf(db, campaignId);
    const runAtOf = (customerId: string) => steps.find((s) => s.customerId === customerId)!.runAt;
    expect(localTime(runAtOf(inNewYork), "America/New_York")).toBe("18:00");
    expect(localTime(runAtOf(atHome), "Europe/Warsaw")).toBe("18:00");
    for (const c of [inNewYork, atHome]) {
      expect(runAtOf(c).getTime()).toBeGreaterThan(now.getTime());
      expect(runAtOf(c).getTime() - now.getTime()).toBeLessThanOrEqual(DAY + HOUR);
    }
  });
});
