import type { DbTx } from "@regulars/db";
import { newId } from "@regulars/ids";
import { type MovementKind, postingsFor, type Unit } from "@regulars/ledger";

export interface NewMovement {
  tenantId: string;
  customerId: string;
  kind: MovementKind;
  unit: Unit;
  /** Signed, from the customer's side: +earned, -spent/expired/reversed. */
  amount: number;
  idempotencyKey: string;
  transactionId?: string | null;
  reason?: string | null;
  actor?: string | null;
  occurredAt: Date;
}

/**
 * Posts movements with their double entries and keeps each account's cached balance equal to the
 * sum of its entries, all inside the caller's transaction. A movement whose idempotency key exists
 * already is skipped entirely, so replays change nothing. Accounts are locked in id order, which keeps
 * concurrent writers from deadlocking and serialises each customer's movements.
 * Returns the idempotency keys that were newly posted.
 */
export async function postMovements(tx: DbTx, movements: NewMovement[]): Promise<Set<string>> {
  // The first movement per key wins, within this call as across calls.
  const byKey = new Map<string, NewMovement>();
  for (const m of movements) if (m.amount !== 0 && !byKey.has(m.idempotencyKey)) byKey.set(m.idempotencyKey, m);
  const wanted = [...byKey.values()];
  if (!wanted.length) return new Set();
  const ids = wanted.map(() => newId("movement"));
  const inserted = await tx.$queryRaw<{ id: string; idempotency_key: string }[]>`
    INSERT INTO ledger_movements (id, tenant_id, customer_id, kind, unit, amount, idempotency_key, transaction_id, reason, actor, occurred_at)
    SELECT * FROM unnest(
      ${ids}::text[], ${wanted.map((m) => m.tenantId)}::text[], ${wanted.map((m) => m.customerId)}::text[],
      ${wanted.map((m) => m.kind)}::text[], ${wanted.map((m) => m.unit)}::text[], ${wanted.map((m) => m.amount)}::int[],
      ${wanted.map((m) => m.idempotencyKey)}::text[], ${wanted.map((m) => m.transactionId ?? null)}::text[],
      ${wanted.map((m) => m.reason ?? null)}::text[], ${wanted.map((m) => m.actor ?? null)}::text[],
      ${wanted.map((m) => m.occurredAt.toISOString())}::timestamptz[])
    ON CONFLICT (tenant_id, idempotency_key) DO NOTHING
    RETURNING id, idempotency_key`;
  if (!inserted.length) return new Set();

  const movementIdOf = new Map(inserted.map((r) => [r.idempotency_key, r.id]));
  const entries = wanted
    .filter((m) => movementIdOf.has(m.idempotencyKey))
    .flatMap((m) => postingsFor(m.customerId, m.unit, m.amount).map((p) => ({ ...p, tenantId: m.tenantId, movementId: movementIdOf.get(m.idempotencyKey)! })));

  const accountKey = (tenantId: string, owner: string, kind: string) => `${tenantId}\u0000${owner}\u0000${kind}`;
  const accounts = [...new Map(entries.map((e) => [accountKey(e.tenantId, e.owner, e.kind), e])).values()];
  await tx.$executeRaw`
    INSERT INTO ledger_accounts (tenant_id, owner, kind)
    SELECT * FROM unnest(${accounts.map((a) => a.tenantId)}::text[], ${accounts.map((a) => a.owner)}::text[], ${accounts.map((a) => a.kind)}::text[])
    ON CONFLICT (tenant_id, owner, kind) DO NOTHING`;
  const locked = await tx.$queryRaw<{ id: bigint; tenant_id: string; owner: string; kind: string }[]>`
    SELECT a.id, a.tenant_id, a.owner, a.kind FROM ledger_accounts a
    JOIN unnest(${accounts.map((a) => a.tenantId)}::text[], ${accounts.map((a) => a.owner)}::text[], ${accounts.map((a) => a.kind)}::text[]) AS w(tenant_id, owner, kind)
      ON a.tenant_id = w.tenant_id AND a.owner = w.owner AND a.kind = w.kind
    ORDER BY a.id
    FOR UPDATE OF a`;
  const accountIdOf = new Map(locked.map((a) => [accountKey(a.tenant_id, a.owner, a.kind), a.id.toString()]));
  const entryAccounts = entries.map((e) => accountIdOf.get(accountKey(e.tenantId, e.owner, e.kind))!);

  await tx.$executeRaw`
    INSERT INTO ledger_entries (movement_id, tenant_id, account_id, amount)
    SELECT * FROM unnest(${entries.map((e) => e.movementId)}::text[], ${entries.map((e) => e.tenantId)}::text[], ${entryAccounts}::bigint[], ${entries.map((e) => e.amount)}::int[])`;

  const deltas = new Map<string, number>();
  entries.forEach((e, i) => deltas.set(entryAccounts[i]!, (deltas.get(entryAccounts[i]!) ?? 0) + e.amount));
  await tx.$executeRaw`
    UPDATE ledger_accounts a SET balance = a.balance + d.delta, updated_at = now()
    FROM unnest(${[...deltas.keys()]}::bigint[], ${[...deltas.values()]}::int[]) AS d(id, delta)
    WHERE a.id = d.id`;
  return new Set(movementIdOf.keys());
}
