import { UpdateProfileRequest } from "@regulars/contracts";
import { enrolAtTill, updateProfile } from "@regulars/customers-store";
import type { Db } from "@regulars/db";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decideSend } from "../src/index.ts";
import { claimForTenant, messageCustomer, queueCampaignSms, smsCampaignSetup, yearAhead } from "./fixtures.ts";

// A number typed on an app profile, unproven, is no one's until proven: once another customer holds it (a till
// enrolled it, or someone proved it), SMS the typer consented to must not reach that holder.

let db: Db;
const ahead = yearAhead();
const at = (minutes: number) => new Date(ahead.getTime() + minutes * 60_000);

beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

const outcome = (d: Awaited<ReturnType<typeof decideSend>>) =>
  d.action === "cancel" ? d.code : d.action === "send" ? `send to ${d.message.to}` : d.action;

const prove = (tenantId: string, customerId: string, phone: string) =>
  updateProfile(db, tenantId, customerId, UpdateProfileRequest.parse({ phone, phoneVerified: true }), {
    actor: "key_app",
    source: "app",
    now: at(15),
  });

async function typedAndQueued(tenantName: string, phone: string) {
  const { tenantId, campaignId, smsTemplate } = await smsCampaignSetup(db, tenantName);
  const typer = await messageCustomer(db, tenantId, { phone, at: at(0) });
  const queued = await queueCampaignSms(db, {
    tenantId,
    campaignId,
    templateId: smsTemplate,
    customerId: typer,
    sendAt: at(10),
  });
  const [message] = (await claimForTenant(db, tenantId, at(20))).filter((m) => m.id === queued);
  return { tenantId, typer, message: message! };
}

describe("an SMS to a customer whose typed phone another customer holds", () => {
  it("goes to the typed number while no one holds it, and is cancelled once a till enrols a customer by it", async () => {
    const { tenantId, message } = await typedAndQueued("Typed Grill", "+48600730001");
    expect(outcome(await decideSend(db, message, { now: at(20) }))).toBe("send to +48600730001");

    await enrolAtTill(
      db,
      tenantId,
      { phone: "+48600730001", locationId: "loc_main", consents: [] },
      {
        actor: "key_pos",
        via: "pos",
        now: at(15),
      },
    );
    expect(outcome(await decideSend(db, message, { now: at(20) }))).toBe("no_address");
  });

  it("is cancelled once another customer proves the number, and still goes to a holder who typed it themselves", async () => {
    const { tenantId, typer, message } = await typedAndQueued("Proved Grill", "+48600730002");
    const prover = await messageCustomer(db, tenantId, { at: at(0) });
    await prove(tenantId, prover, "+48600730002");
    expect(outcome(await decideSend(db, message, { now: at(20) }))).toBe("no_address");

    // The typer proving it (after the other let it go) makes it theirs: it reaches them again.
    await db.$executeRaw`DELETE FROM customer_identities WHERE tenant_id = ${tenantId} AND customer_id = ${prover}`;
    await prove(tenantId, typer, "+48600730002");
    expect(outcome(await decideSend(db, message, { now: at(20) }))).toBe("send to +48600730002");
  });
});
