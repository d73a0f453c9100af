import type { Db } from "@regulars/db";
import { newId } from "@regulars/ids";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tenantCallers } from "./helpers.ts";

let db: Db;
let diner: Awaited<ReturnType<typeof tenantCallers>>;
beforeAll(async () => {
  db = testDb();
  diner = await tenantCallers(db, "Message Diner");
});
afterAll(async () => {
  await db?.$disconnect();
});

describe("messages.list", () => {
  it("gives admins why a message failed in the provider's words, analysts only its code", async () => {
    const customerId = newId("customer");
    await db.customer.create({ data: { id: customerId, tenantId: diner.tenantId, name: "Jane", createdVia: "test" } });
    // Written before failures were redacted: the provider's reply quoting the customer's address.
    const lastError = "rejected: SMTP: 550 5.1.1 <jane.doe@example.com>: Recipient address rejected";
    await db.message.create({
      data: {
        id: newId("message"),
        tenantId: diner.tenantId,
        customerId,
        channel: "email",
        language: "en",
        toAddress: "jane.doe@example.com",
        content: { channel: "email", subject: "Hi", html: "<p>Hi</p>" },
        status: "failed",
        failureCode: "rejected",
        lastError,
        sendAt: new Date(),
        nextAttemptAt: new Date(),
      },
    });
    const asAnalyst = await diner.analyst.messages.list({ customerId });
    expect(asAnalyst.items).toEqual([expect.objectContaining({ failureCode: "rejected", lastError: null })]);
    expect(JSON.stringify(asAnalyst)).not.toContain("jane.doe@example.com");
    const asAdmin = await diner.admin.messages.list({ customerId });
    expect(asAdmin.items).toEqual([expect.objectContaining({ failureCode: "rejected", lastError })]);
  });
});
