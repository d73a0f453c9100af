import { recordAudit } from "@regulars/audit";
import type { ApiKeyRole } from "@regulars/contracts";
import { type Db, type DbTx, withTransaction } from "@regulars/db";
import { DomainError } from "@regulars/errors";
import { newId } from "@regulars/ids";
import { displayPrefix, generateApiKey, hashApiKey } from "./api-keys.ts";
import type { IssuedKey, KeyView } from "./keys.types.ts";

type KeyRow = {
  id: string;
  prefix: string;
  role: string;
  label: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
};

const viewOf = (row: KeyRow, now: Date): KeyView => ({
  id: row.id,
  prefix: row.prefix,
  role: row.role as ApiKeyRole,
  label: row.label,
  createdAt: row.createdAt.toISOString(),
  lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
  revokedAt: row.revokedAt?.toISOString() ?? null,
  revoked: row.revokedAt !== null && row.revokedAt <= now,
});

/** Every key of the tenant, newest first; never the key itself, nor its hash. */
export async function listKeys(
  db: Db,
  tenantId: string,
  input: { includeRevoked: boolean },
  now = new Date(),
): Promise<KeyView[]> {
  const rows = await db.apiKey.findMany({
    where: { tenantId, ...(input.includeRevoked ? {} : { OR: [{ revokedAt: null }, { revokedAt: { gt: now } }] }) },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
  });
  return rows.map((r) => viewOf(r, now));
}

async function insertKey(
  tx: DbTx,
  tenantId: string,
  role: ApiKeyRole,
  label: string,
): Promise<{ key: string; row: KeyRow }> {
  const key = generateApiKey(role);
  const row = await tx.apiKey.create({
    data: { id: newId("apiKey"), tenantId, role, label, hash: hashApiKey(key), prefix: displayPrefix(key) },
  });
  return { key, row };
}

export async function createKey(
  db: Db,
  tenantId: string,
  actor: string,
  input: { role: ApiKeyRole; label?: string },
  now = new Date(),
): Promise<IssuedKey> {
  return withTransaction(db, async (tx) => {
    const { key, row } = await insertKey(tx, tenantId, input.role, input.label ?? `${input.role} key`);
    await recordAudit(tx, {
      tenantId,
      actor,
      action: "apiKeys.create",
      target: row.id,
      details: { role: row.role, label: row.label, prefix: row.prefix },
    });
    return { ...viewOf(row, now), key };
  });
}

async function lockKey(tx: DbTx, tenantId: string, keyId: string): Promise<KeyRow> {
  // FOR UPDATE: a revoke and a rotate of the same key must not both go through.
  const [locked] = await tx.$queryRaw<
    { id: string }[]
  >`SELECT id FROM api_keys WHERE id = ${keyId} AND tenant_id = ${tenantId} FOR UPDATE`;
  if (!locked)
    throw new DomainError("not_found", `no key ${keyId} in this tenant`, [{ path: "keyId", message: "no such key" }]);
  return tx.apiKey.findUniqueOrThrow({ where: { id: keyId } });
}

/** Stops a key now (running processes notice within their credential cache TTL). Revoking a revoked key changes nothing. */
export async function revokeKey(
  db: Db,
  tenantId: string,
  actor: string,
  input: { keyId: string },
  now = new Date(),
): Promise<KeyView> {
  return withTransaction(db, async (tx) => {
    const row = await lockKey(tx, tenantId, input.keyId);
    if (row.revokedAt && row.revokedAt <= now) return viewOf(row, now);
    const revoked = await tx.apiKey.update({ where: { id: row.id }, data: { revokedAt: now } });
    await recordAudit(tx, {
      tenantId,
      actor,
      action: "apiKeys.revoke",
      target: row.id,
      details: { role: row.role, label: row.label, prefix: row.prefix },
    });
    return viewOf(revoked, now);
  });
}

/** A new key with the same role and label; the old one stops now, or after `graceSeconds`. */
export async function rotateKey(
  db: Db,
  tenantId: string,
  actor: string,
  input: { keyId: string; graceSeconds: number },
  now = new Date(),
): Promise<IssuedKey & { replaced: KeyView }> {
  return withTransaction(db, async (tx) => {
    const old = await lockKey(tx, tenantId, input.keyId);
    if (old.revokedAt && old.revokedAt <= now)
      throw new DomainError("conflict", `key ${old.id} is already revoked; create a new key instead`);
    const stopsAt = new Date(now.getTime() + input.graceSeconds * 1000);
    // A grace never extends an earlier scheduled stop.
    const revokedAt = old.revokedAt && old.revokedAt < stopsAt ? old.revokedAt : stopsAt;
    const replaced = await tx.apiKey.update({ where: { id: old.id }, data: { revokedAt } });
    const { key, row } = await insertKey(tx, tenantId, old.role as ApiKeyRole, old.label);
    await recordAudit(tx, {
      tenantId,
      actor,
      action: "apiKeys.rotate",
      target: old.id,
      details: {
        role: old.role,
        label: old.label,
        replacedPrefix: old.prefix,
        newKeyId: row.id,
        newPrefix: row.prefix,
        oldKeyStopsAt: revokedAt.toISOString(),
      },
    });
    return { ...viewOf(row, now), key, replaced: viewOf(replaced, now) };
  });
}
