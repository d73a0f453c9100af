import { exactNumber, Prisma, type RawTx, sqlArray } from "@regulars/db";
import { customersNeedingLots, type FreshMovement, type Lot, type LotChanges, planLotChanges } from "@regulars/ledger";
import { saveRedeemedLots } from "../holds/redeemed-lots.ts";

/**
 * The customers' spendable accounts (customer id → tenant), locked in id order. Looked up by (tenant, owner), the
 * unique key's leading columns, one pair at a time: by owner alone no index served it and each batch read every
 * account; with `tenant_id = ANY` beside it, a planner without statistics read the tenant's every account.
 */
export const spendableAccountsStatement = (tenantOf: ReadonlyMap<string, string>): Prisma.Sql => Prisma.sql`
  SELECT a.owner, a.balance FROM ledger_accounts a
  JOIN unnest(${sqlArray([...tenantOf.values()])}::text[], ${sqlArray([...tenantOf.keys()])}::text[]) AS k(tenant_id, owner)
    ON a.tenant_id = k.tenant_id AND a.owner = k.owner AND a.kind = 'points'
  ORDER BY a.id FOR UPDATE OF a`;

/**
 * The customers' live lots (open, or not yet released) with their movements' keys, locked, first-in first-out.
 * `point_lots_customer_live_idx` (migration 0023) holds exactly these rows by customer: without it every batch
 * scanned every lot ever earned. The key is read per lot by the movements' primary key, not joined: a join planned
 * without statistics (a young table, autovacuum behind) hashed the whole movements table.
 */
export const liveLotsStatement = (customers: readonly string[]): Prisma.Sql => Prisma.sql`
  SELECT l.*, (SELECT m.idempotency_key FROM ledger_movements m WHERE m.id = l.movement_id) AS key FROM point_lots l
  WHERE l.customer_id = ANY(${sqlArray(customers)}::text[]) AND (l.remaining > 0 OR NOT l.released)
  ORDER BY l.customer_id, l.earned_at, l.id
  FOR UPDATE OF l`;

/**
 * The customers' spendable balances and open lots, locked: first the spendable accounts (in id order,
 * created if missing so that even a brand-new customer's account row exists to lock, and two writers for
 * one customer queue here instead of both starting from zero), then the open lots of those whose movements
 * take from lots (`customersNeedingLots`): a batch of sales reads none.
 */
async function loadForUpdate(
  tx: RawTx,
  points: FreshMovement[],
): Promise<{ balances: Map<string, number>; lots: Lot[] }> {
  const tenantOf = new Map(points.map((m) => [m.customerId, m.tenantId]));
  await tx.$executeRaw`
    INSERT INTO ledger_accounts (tenant_id, owner, kind)
    SELECT t, c, 'points' FROM unnest(${sqlArray([...tenantOf.values()])}::text[], ${sqlArray([...tenantOf.keys()])}::text[]) AS x(t, c)
    ON CONFLICT (tenant_id, owner, kind) DO NOTHING`;
  const balances = await tx.$queryRaw<{ owner: string; balance: bigint }[]>(spendableAccountsStatement(tenantOf));
  const taking = [...customersNeedingLots(points)];
  return {
    balances: new Map(balances.map((b) => [b.owner, exactNumber(b.balance)])),
    lots: taking.length ? await readLiveLots(tx, taking) : [],
  };
}

/** The customers' live lots, locked, first-in first-out (`liveLotsStatement`). */
export async function readLiveLots(tx: RawTx, customers: readonly string[]): Promise<Lot[]> {
  const rows = await tx.$queryRaw<
    {
      id: bigint;
      tenant_id: string;
      customer_id: string;
      movement_id: string;
      points: bigint;
      remaining: bigint;
      earned_at: Date;
      available_at: Date;
      expires_at: Date | null;
      released: boolean;
      key: string;
    }[]
  >(liveLotsStatement(customers));
  return rows.map((r) => ({
    id: r.id.toString(),
    tenantId: r.tenant_id,
    customerId: r.customer_id,
    movementId: r.movement_id,
    key: r.key,
    points: exactNumber(r.points),
    remaining: exactNumber(r.remaining),
    earnedAt: r.earned_at,
    availableAt: r.available_at,
    expiresAt: r.expires_at,
    released: r.released,
    dirty: false,
  }));
}

/** How the point movements change the customers' lots (see `planLotChanges`), read under lock. */
export async function planLots(tx: RawTx, movements: FreshMovement[]): Promise<LotChanges> {
  const points = movements.filter((m) => m.unit === "points");
  if (!points.length) return { created: [], updated: [], accountOf: new Map(), balances: new Map(), redeemed: [] };
  const { balances, lots } = await loadForUpdate(tx, points);
  return planLotChanges(points, balances, lots);
}

export async function saveLots(tx: RawTx, lots: LotChanges): Promise<void> {
  if (lots.created.length) {
    const c = lots.created;
    await tx.$executeRaw`
      INSERT INTO point_lots (tenant_id, customer_id, movement_id, points, remaining, earned_at, available_at, expires_at, released)
      SELECT * FROM unnest(${c.map((l) => l.tenantId)}::text[], ${c.map((l) => l.customerId)}::text[], ${c.map((l) => l.movementId)}::text[],
        ${c.map((l) => l.points)}::bigint[], ${c.map((l) => l.remaining)}::bigint[], ${c.map((l) => l.earnedAt.toISOString())}::timestamptz[],
        ${c.map((l) => l.availableAt.toISOString())}::timestamptz[], ${c.map((l) => l.expiresAt?.toISOString() ?? null)}::timestamptz[],
        ${c.map((l) => l.released)}::boolean[])`;
  }
  if (lots.updated.length) {
    const u = lots.updated;
    await tx.$executeRaw`
      UPDATE point_lots p SET remaining = u.remaining, released = u.released
      FROM unnest(${u.map((l) => l.id)}::bigint[], ${u.map((l) => l.remaining)}::bigint[], ${u.map((l) => l.released)}::boolean[]) AS u(id, remaining, released)
      WHERE p.id = u.id`;
  }
  // Only a batch with a redemption writes this: a sale without a hold sends no statement for it.
  if (lots.redeemed.length) await saveRedeemedLots(tx, lots.redeemed);
}
