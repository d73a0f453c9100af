import { type DbTx, type RawTx, sqlArray } from "@regulars/db";
import { newId } from "@regulars/ids";
import { type NewMovement, type PostedMovement, postingsFor } from "@regulars/ledger";
import { planLots, saveLots } from "./lots.ts";

/**
 * Posts movements with their double entries and keeps each account's cached balance equal to the
 * sum of its entries, all inside the caller's transaction. Point credits open lots; debits consume lots
 * first-in first-out (a refund of a still-pending sale takes back its pending lot). A movement whose
 * idempotency key exists already is skipped entirely, so replays change nothing. Accounts are locked
 * in id order, which keeps concurrent writers from deadlocking and serialises each customer's movements.
 * Returns the idempotency keys that were newly posted.
 */
export async function postMovements(tx: DbTx, movements: NewMovement[]): Promise<Set<string>> {
  return new Set((await postMovementsDetailed(tx, movements)).map((m) => m.idempotencyKey));
}

export async function postMovementsDetailed(tx: RawTx, movements: NewMovement[]): Promise<PostedMovement[]> {
  // The first movement per key wins, within this call as across calls. Keys are per tenant.
  const tenantKey = (m: { tenantId: string; idempotencyKey: string }) => `${m.tenantId}\u0000${m.idempotencyKey}`;
  const byKey = new Map<string, NewMovement>();
  for (const m of movements) if (m.amount !== 0 && !byKey.has(tenantKey(m))) byKey.set(tenantKey(m), m);
  const wanted = [...byKey.values()];
  if (!wanted.length) return [];
  const ids = wanted.map(() => newId("movement"));
  const inserted = await tx.$queryRaw<{ id: string; tenant_id: string; idempotency_key: string }[]>`
    INSERT INTO ledger_movements (id, tenant_id, customer_id, kind, unit, amount, idempotency_key, transaction_id, reason, actor, occurred_at)
    SELECT * FROM unnest(
      ${sqlArray(ids)}::text[], ${sqlArray(wanted.map((m) => m.tenantId))}::text[], ${sqlArray(wanted.map((m) => m.customerId))}::text[],
      ${sqlArray(wanted.map((m) => m.kind))}::text[], ${sqlArray(wanted.map((m) => m.unit))}::text[], ${sqlArray(wanted.map((m) => m.amount))}::bigint[],
      ${sqlArray(wanted.map((m) => m.idempotencyKey))}::text[], ${sqlArray(wanted.map((m) => m.transactionId ?? null))}::text[],
      ${sqlArray(wanted.map((m) => m.reason ?? null))}::text[], ${sqlArray(wanted.map((m) => m.actor ?? null))}::text[],
      ${sqlArray(wanted.map((m) => m.occurredAt))}::timestamptz[])
    ON CONFLICT (tenant_id, idempotency_key) DO NOTHING
    RETURNING id, tenant_id, idempotency_key`;
  if (!inserted.length) return [];
  const movementIdOf = new Map(
    inserted.map((r) => [tenantKey({ tenantId: r.tenant_id, idempotencyKey: r.idempotency_key }), r.id]),
  );
  const fresh = wanted
    .filter((m) => movementIdOf.has(tenantKey(m)))
    .map((m) => ({ ...m, id: movementIdOf.get(tenantKey(m))! }));

  const lots = await planLots(tx, fresh);
  const posted: PostedMovement[] = fresh.map((m) => ({
    ...m,
    account: lots.accountOf.get(m.id) ?? (m.unit === "wallet" ? "wallet" : "points"),
    balance: lots.balances.get(m.id) ?? null,
  }));
  await postEntries(tx, posted);
  await saveLots(tx, lots);
  return posted;
}

async function postEntries(tx: RawTx, posted: PostedMovement[]) {
  const entries = posted.flatMap((m) =>
    postingsFor(m.customerId, m.unit, m.amount, m.account, m.kind, m.counterShard).map((p) => ({
      ...p,
      tenantId: m.tenantId,
      movementId: m.id,
    })),
  );
  const accountKey = (tenantId: string, owner: string, kind: string) => `${tenantId}\u0000${owner}\u0000${kind}`;
  const accounts = [...new Map(entries.map((e) => [accountKey(e.tenantId, e.owner, e.kind), e])).values()];
  // The same three columns for the insert and the locking read.
  const [tenants, owners, kinds] = [
    sqlArray(accounts.map((a) => a.tenantId)),
    sqlArray(accounts.map((a) => a.owner)),
    sqlArray(accounts.map((a) => a.kind)),
  ];
  await tx.$executeRaw`
    INSERT INTO ledger_accounts (tenant_id, owner, kind)
    SELECT * FROM unnest(${tenants}::text[], ${owners}::text[], ${kinds}::text[])
    ON CONFLICT (tenant_id, owner, kind) DO NOTHING`;
  const locked = await tx.$queryRaw<{ id: bigint; tenant_id: string; owner: string; kind: string }[]>`
    SELECT a.id, a.tenant_id, a.owner, a.kind FROM ledger_accounts a
    JOIN unnest(${tenants}::text[], ${owners}::text[], ${kinds}::text[]) AS w(tenant_id, owner, kind)
      ON a.tenant_id = w.tenant_id AND a.owner = w.owner AND a.kind = w.kind
    ORDER BY a.id
    FOR UPDATE OF a`;
  const accountIdOf = new Map(locked.map((a) => [accountKey(a.tenant_id, a.owner, a.kind), a.id.toString()]));
  const entryAccounts = entries.map((e) => accountIdOf.get(accountKey(e.tenantId, e.owner, e.kind))!);

  // The entries and what they add to each account's cached balance, in one statement: a batch's fixed cost is its
  // round trips, and the sum is taken from the very rows inserted.
  await tx.$executeRaw`
    WITH posted AS (
      INSERT INTO ledger_entries (movement_id, tenant_id, account_id, amount)
      SELECT * FROM unnest(${sqlArray(entries.map((e) => e.movementId))}::text[], ${sqlArray(entries.map((e) => e.tenantId))}::text[], ${sqlArray(entryAccounts)}::bigint[], ${sqlArray(entries.map((e) => e.amount))}::bigint[])
      RETURNING account_id, amount)
    UPDATE ledger_accounts a SET balance = a.balance + d.delta, updated_at = now()
    FROM (SELECT account_id, sum(amount)::bigint AS delta FROM posted GROUP BY account_id) AS d
    WHERE a.id = d.account_id`;
}
