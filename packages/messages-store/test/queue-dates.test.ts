import { type Db, withTransaction } from "@regulars/db";
import { testDb, testTenant } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queueCampaignMessage } from "../src/index.ts";
import { messageCampaign, messageCustomer, messageTemplate, stepKeyOf, yearAhead } from "./fixtures.ts";

// A message is rendered when it is queued: its dates are written on the customer's clock, not the server's.

let db: Db;

beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

describe("dates in a queued message", () => {
  it("are written in the zone planning timed it by, else the tenant's", async () => {
    // Zones without summer time, so the offset is the same whatever the day the test runs.
    const { tenantId } = await testTenant(db, "Atoll Grill", "Pacific/Kiritimati");
    const campaignId = await messageCampaign(db, tenantId);
    const templateId = await messageTemplate(db, tenantId, "sms", [
      { channel: "sms", language: "en", body: "{{ 'now' | date: '%z' }}" },
    ]);
    const customerId = await messageCustomer(db, tenantId, { phone: "+48600100200" });
    const bodyOf = async (deliveryZone?: string) => {
      const { messageId } = await withTransaction(db, (tx) =>
        queueCampaignMessage(tx, {
          tenantId,
          campaignId,
          customerId,
          templateId,
          stepKey: stepKeyOf(),
          channel: "sms",
          sendAt: yearAhead(),
          deliveryZone,
        }),
      );
      const row = await db.message.findUniqueOrThrow({ where: { id: messageId! } });
      return (row.content as { body: string }).body;
    };
    expect(await bodyOf()).toBe("+1400");
    expect(await bodyOf("Asia/Kolkata")).toBe("+0530");
    expect(await bodyOf("Not/A_Zone")).toBe("+1400");
  });
});
