import { type ConsentStatement, RegisterCustomerRequest } from "@regulars/contracts";
import { registerCustomer, savePushToken } from "@regulars/customers-store";
import { type Db, withTransaction } from "@regulars/db";
import { newId } from "@regulars/ids";
import type { MessageTemplateInput } from "@regulars/messaging";
import { testTenant } from "@regulars/testing";
import { claimDueMessages, queueCampaignMessage } from "../src/index.ts";

let n = 0;
const unique = () => `${Date.now().toString(36)}${(++n).toString(36)}${Math.random().toString(36).slice(2, 6)}`;

export const secret = "a-link-signing-secret-of-at-least-32-chars";
export const tracking = { publicUrl: "https://go.brand.example", secrets: [secret] };

export async function messageTenant(db: Db, name = "Message Grill") {
  return testTenant(db, name);
}

export interface CustomerSetup {
  name?: string;
  email?: string;
  phone?: string;
  language?: string;
  consents?: ConsentStatement[];
  pushToken?: string;
  /** When the consents were given and the customer registered. */
  at?: Date;
}

const granted = (channel: "email" | "sms" | "push"): ConsentStatement => ({
  channel,
  purpose: "marketing",
  granted: true,
});
export const allMarketing = [granted("email"), granted("sms"), granted("push")];

/** A registered app customer with the given contact details, consents (all marketing by default) and device. */
export async function messageCustomer(db: Db, tenantId: string, setup: CustomerSetup = {}): Promise<string> {
  const at = setup.at ?? new Date(Date.now() - 3_600_000);
  const registration = await registerCustomer(
    db,
    tenantId,
    RegisterCustomerRequest.parse({
      externalIdentity: { provider: "brand", subject: `msg-${unique()}` },
      name: setup.name ?? "Ada Lovelace",
      ...(setup.email !== undefined ? { email: setup.email } : {}),
      ...(setup.phone !== undefined ? { phone: setup.phone } : {}),
      ...(setup.language ? { preferences: { language: setup.language } } : {}),
      consents: setup.consents ?? allMarketing,
      consentedAt: at.toISOString(),
    }),
    { actor: "key_app", source: "app", now: at },
  );
  const id = registration.customer.id;
  if (setup.pushToken)
    await savePushToken(
      db,
      tenantId,
      id,
      { deviceId: `dev-${unique()}`, platform: "android", token: setup.pushToken },
      at,
    );
  return id;
}

/** A saved template set, written as the campaigns store saves it (one variant per language). */
export async function messageTemplate(
  db: Db,
  tenantId: string,
  channel: "email" | "sms" | "push",
  variants: MessageTemplateInput[],
): Promise<string> {
  const id = newId("messageTemplate");
  await db.messageTemplate.create({
    data: { id, tenantId, name: `template ${id}`, channel, variants: variants as object[], createdBy: "test" },
  });
  return id;
}

/** A campaign row to hang messages on (the campaigns store writes real ones; messages only refer to it). */
export async function messageCampaign(db: Db, tenantId: string, definition: object = {}): Promise<string> {
  const id = newId("campaign");
  await db.campaign.create({
    data: {
      id,
      tenantId,
      name: `campaign ${id}`,
      status: "active",
      triggerType: "registered",
      version: 1,
      createdBy: "test",
    },
  });
  await db.campaignVersion.create({ data: { tenantId, campaignId: id, version: 1, definition, createdBy: "test" } });
  return id;
}

export const stepKeyOf = () => `cst_${unique()}`;

/** A campaign's SMS to one customer, queued under a step key of its own; its message id. */
export async function queueCampaignSms(
  db: Db,
  at: { tenantId: string; campaignId: string; templateId: string; customerId: string; sendAt: Date },
): Promise<string> {
  const queued = await withTransaction(db, (tx) =>
    queueCampaignMessage(tx, { ...at, stepKey: stepKeyOf(), channel: "sms" }),
  );
  return queued.messageId!;
}

/**
 * A year ahead of the real clock, where these tests' messages fall due: the systems of other test files run senders
 * on this database by the real clock and would otherwise take them.
 */
export const yearAhead = () => new Date(Date.now() + 365 * 86_400_000);

/** A tenant of its own with a campaign and an SMS template ("Hi") to queue campaign messages under. */
export async function smsCampaignSetup(db: Db, tenantName: string, campaignDefinition: object = {}) {
  const { tenantId } = await messageTenant(db, tenantName);
  const campaignId = await messageCampaign(db, tenantId, campaignDefinition);
  const smsTemplate = await messageTemplate(db, tenantId, "sms", [{ channel: "sms", language: "en", body: "Hi" }]);
  return { tenantId, campaignId, smsTemplate };
}

/** Claims for one tenant only, with a minute's lease: one test's leftovers are never another's to claim. */
export const claimForTenant = (
  db: Db,
  tenantId: string,
  now: Date,
  extra: Partial<Parameters<typeof claimDueMessages>[1]> = {},
) => claimDueMessages(db, { now, limit: 100, leaseMs: 60_000, tenantIds: [tenantId], ...extra });
