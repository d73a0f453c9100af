import type { CampaignDefinitionInput } from "@regulars/contracts";
import { ProgrammeConfig } from "@regulars/contracts";
import type { Db } from "@regulars/db";
import { DomainError } from "@regulars/errors";
import { newId } from "@regulars/ids";
import { testTenant } from "@regulars/testing";
import { createTemplate } from "../src/index.ts";

export const ACTOR = "key_test_admin";

export const tiers = {
  basis: "points_earned" as const,
  window: "lifetime" as const,
  levels: [
    { id: "bronze", name: "Bronze", threshold: 0 },
    { id: "silver", name: "Silver", threshold: 200 },
  ],
};

/** A fresh tenant (Warsaw) with a programme in force since the epoch, with tiers when asked. */
export async function campaignTenant(db: Db, options: { tiers?: boolean; name?: string } = {}) {
  const { tenantId } = await testTenant(db, options.name ?? "Campaign Grill");
  await db.programmeVersion.create({
    data: {
      tenantId,
      version: 2,
      effectiveFrom: new Date(0),
      config: ProgrammeConfig.parse({
        rules: [{ id: "base", type: "base_rate", pointsPerUnit: 1, unitMinor: 100 }],
        ...(options.tiers ? { tiers } : {}),
      }),
      createdBy: "test",
    },
  });
  return tenantId;
}

export async function addCustomer(db: Db, tenantId: string, name: string | null = "Ada Lovelace"): Promise<string> {
  const id = newId("customer");
  await db.customer.create({ data: { id, tenantId, name, createdVia: "test" } });
  return id;
}

export const emailVariant = (language = "en", body = "<p>Hi {{ customer.first_name }}</p>") => ({
  channel: "email" as const,
  language,
  subject: "News from {{ tenant.name }}",
  body,
});

export const smsVariant = (
  language = "en",
  body = "Hi {{ customer.first_name }}, you have {{ points.balance }} pts",
) => ({
  channel: "sms" as const,
  language,
  body,
});

export const emailTemplate = (db: Db, tenantId: string, name = "Welcome") =>
  createTemplate(db, tenantId, { name, channel: "email", variants: [emailVariant()] }, ACTOR);

/** A registration campaign sending one e-mail: the smallest valid definition. */
export const welcomeDefinition = (templateId: string, more: Partial<CampaignDefinitionInput> = {}) =>
  ({
    name: "Welcome",
    audience: { kind: "none" },
    trigger: { type: "registered" },
    actions: [{ type: "send_message", channel: "email", templateId }],
    ...more,
  }) satisfies CampaignDefinitionInput;

export async function domainError(work: Promise<unknown>): Promise<DomainError> {
  const e = await work.then(
    () => undefined,
    (err: unknown) => err,
  );
  if (!(e instanceof DomainError)) throw new Error(`expected a DomainError, got ${String(e)}`);
  return e;
}
