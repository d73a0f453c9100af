import type { Db } from "@regulars/db";
import { newId } from "@regulars/ids";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listMessages } from "../src/index.ts";
import { addCustomer, campaignTenant } from "./admin-fixtures.ts";

let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

describe("listMessages", () => {
  it("shows the provider's words of a failure to admins only, never the address", async () => {
    const tenantId = await campaignTenant(db, { name: "Message List Grill" });
    const customerId = await addCustomer(db, tenantId);
    const lastError = "rejected: SMTP: 550 5.1.1 <[email]>: Recipient address rejected";
    await db.message.create({
      data: {
        id: newId("message"),
        tenantId,
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
    const input = { customerId, limit: 10 };
    const admin = await listMessages(db, tenantId, input, { withLastError: true });
    expect(admin.items).toEqual([expect.objectContaining({ failureCode: "rejected", lastError })]);
    const analyst = await listMessages(db, tenantId, input, { withLastError: false });
    expect(analyst.items).toEqual([expect.objectContaining({ failureCode: "rejected", lastError: null })]);
    expect(JSON.stringify([admin, analyst])).not.toContain("jane.doe@example.com");
  });
});
