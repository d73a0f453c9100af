import { CampaignDefinition } from "@regulars/contracts";
import { type Db, withTransaction } from "@regulars/db";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadPlanInputs } from "../src/index.ts";
import { addCustomer, runnerTenant } from "./runner-fixtures.ts";

// Planning reaches a customer by SMS only at a number that is theirs: one they typed that another customer holds
// as an identity (enrolled by a till, or proven) reaches that holder, not them.

let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

const definition = CampaignDefinition.parse({
  name: "Welcome SMS",
  status: "active",
  audience: { kind: "none" },
  trigger: { type: "registered" },
  actions: [{ type: "send_message", channel: "sms", templateId: "tpl_welcome" }],
});

const smsReach = async (tenantId: string, ids: string[]) => {
  const inputs = await withTransaction(db, (tx) =>
    loadPlanInputs(tx, tenantId, "cmp_none", definition, ids, new Date()),
  );
  return ids.map((id) => inputs.get(id)?.customer.reachable.sms);
};

describe("planning's SMS reach", () => {
  it("leaves out a typed number another customer holds, and keeps the holder's and an unheld one's", async () => {
    const { tenantId } = await runnerTenant(db);
    // Both typed +48600100200 (the fixture's number); neither holds it yet.
    const typer = await addCustomer(db, tenantId, { phone: true, consents: ["sms"] });
    const holder = await addCustomer(db, tenantId, { phone: true, consents: ["sms"] });
    expect(await smsReach(tenantId, [typer, holder])).toEqual([true, true]);

    await db.$executeRaw`
      INSERT INTO customer_identities (tenant_id, kind, value, customer_id)
      VALUES (${tenantId}, 'phone', '+48600100200', ${holder})`;
    expect(await smsReach(tenantId, [typer, holder])).toEqual([false, true]);
  });
});
