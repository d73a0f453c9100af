import { recordAudit } from "@regulars/audit";
import { type ApiKeyRole, ApiKeyRole as ApiKeyRoleSchema, CurrencyCode, LanguageTag } from "@regulars/contracts";
import { type Db, withTransaction } from "@regulars/db";
import { DomainError } from "@regulars/errors";
import { newId } from "@regulars/ids";
import { firstVersion } from "@regulars/programme";
import type { StaffRole } from "@regulars/staff";
import { z } from "zod";
import { displayPrefix, generateApiKey, hashApiKey } from "./api-keys.ts";
import { storedTimeZone, validTimeZone } from "./time-zones.ts";

export const NewTenant = z.object({
  name: z.string().trim().min(1, "must not be empty").max(120),
  timezone: z.string().refine(validTimeZone, "must be an IANA time zone such as Europe/Warsaw"),
  currency: CurrencyCode,
  /** What customers are written to when their own language is unknown (the till's one-time code, templates). */
  language: LanguageTag.default("en"),
});
export type NewTenant = z.input<typeof NewTenant>;

export interface CreatedTenant {
  tenantId: string;
  /** Plain keys, shown once; only their hashes are stored. */
  apiKeys: Record<ApiKeyRole, string>;
  /** The demo tenant's owner, who signs in to the admin app with this e-mail and password. */
  staff?: { email: string; password: string };
}

/** A tenant with one key per role and the default programme (1 point per 1.00 of eligible spend). */
export async function createTenant(db: Db, input: NewTenant, actor = "cli"): Promise<CreatedTenant> {
  const parsed = NewTenant.parse(input);
  // The schema refused any zone Intl does not know, so this one has a name to store.
  const tenant = { ...parsed, timezone: (await storedTimeZone(db, parsed.timezone))! };
  const tenantId = newId("tenant");
  const apiKeys = Object.fromEntries(ApiKeyRoleSchema.options.map((role) => [role, generateApiKey(role)])) as Record<
    ApiKeyRole,
    string
  >;
  await db.$transaction([
    db.tenant.create({ data: { id: tenantId, ...tenant } }),
    db.apiKey.createMany({
      data: ApiKeyRoleSchema.options.map((role) => ({
        id: newId("apiKey"),
        tenantId,
        role,
        label: `${role} key`,
        hash: hashApiKey(apiKeys[role]),
        prefix: displayPrefix(apiKeys[role]),
      })),
    }),
    firstVersion(db, tenantId, actor),
  ]);
  return { tenantId, apiKeys };
}

/** What a tenant is set up with: the brand's name, its calendar, its money and its language. */
export interface TenantSettings {
  name: string;
  timezone: string;
  currency: string;
  language: string;
}

export async function tenantSettings(db: Db, tenantId: string): Promise<TenantSettings> {
  const row = await db.tenant.findUnique({
    where: { id: tenantId },
    select: { name: true, timezone: true, currency: true, language: true },
  });
  if (!row) throw new DomainError("not_found", `no tenant ${tenantId}`);
  return row;
}

/**
 * Changes the language customers are written to when theirs is unknown; audited. Messages already queued keep
 * the language they were written in.
 */
export async function setTenantLanguage(db: Db, tenantId: string, language: string, actor: string): Promise<void> {
  const tag = LanguageTag.safeParse(language);
  if (!tag.success)
    throw new DomainError("invalid_request", `"${language}" is not a language tag such as pl or en-GB`, [
      { path: "language", message: tag.error.issues[0]!.message },
    ]);
  await withTransaction(db, async (tx) => {
    const [before] = await tx.$queryRaw<{ language: string }[]>`
      SELECT language FROM tenants WHERE id = ${tenantId} FOR UPDATE`;
    if (!before) throw new DomainError("not_found", `no tenant ${tenantId}`);
    await tx.$executeRaw`UPDATE tenants SET language = ${tag.data} WHERE id = ${tenantId}`;
    await recordAudit(tx, {
      tenantId,
      actor,
      action: "tenants.setLanguage",
      target: tenantId,
      details: { from: before.language, to: tag.data },
    });
  });
}

export interface Credential {
  keyId: string;
  tenantId: string;
  role: ApiKeyRole;
  tenant: { name: string; timezone: string; currency: string };
  /** Set when the key was rotated with a grace period: it stops working at this instant. */
  revokesAt?: string;
  /** Set when a person signed in to the admin app (`keyId` is then `staff:<id>`); absent for API keys. */
  staff?: { id: string; email: string; name: string; role: StaffRole };
}

/** How often a key's `last_used_at` is written at most: a list of keys needs the day, not the millisecond. */
const LAST_USED_GRANULARITY_MS = 60_000;

export async function findCredential(db: Db, key: string, now = new Date()): Promise<Credential | null> {
  const row = await db.apiKey.findUnique({ where: { hash: hashApiKey(key) }, include: { tenant: true } });
  if (!row || (row.revokedAt && row.revokedAt <= now)) return null;
  if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() > LAST_USED_GRANULARITY_MS) {
    // Not awaited: recording use must never slow down or fail the request that uses the key.
    db.apiKey.update({ where: { id: row.id }, data: { lastUsedAt: now } }).catch(() => {});
  }
  return {
    keyId: row.id,
    tenantId: row.tenantId,
    role: row.role as ApiKeyRole,
    tenant: { name: row.tenant.name, timezone: row.tenant.timezone, currency: row.tenant.currency },
    ...(row.revokedAt ? { revokesAt: row.revokedAt.toISOString() } : {}),
  };
}
