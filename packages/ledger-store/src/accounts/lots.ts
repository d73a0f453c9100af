import { type DbTx, exactNumber } from "@regulars/db";
import type { CustomerAccount } from "@regulars/ledger";
import type { NewMovement } from "./movements.ts";

interface Lot {
  id: string | null; // null until inserted
  tenantId: string;
  customerId: string;
  movementId: string;
  points: number;
  remaining: number;
  earnedAt: Date;
  availableAt: Date;
  expiresAt: Date | null;
  released: boolean;
  dirty: boolean;
}

export interface LotChanges {
  created: Lot[];
  updated: { id: string; remaining: number; released: boolean }[];
  /** Which customer account each movement posts to (pending credits and their reversals differ). */
  accountOf: Map<string, CustomerAccount>;
  /** The customer's spendable balance before and after each point movement, in order. */
  balances: Map<string, { before: number; after: number }>;
}

type Fresh = NewMovement & { id: string };

/**
 * Works out how point movements change the customer's lots, in movement order:
 * - a credit opens a lot; when the balance is negative (a refund took back points already spent) the
 *   new points first pay that debt, so the lot starts with what is left;
 * - a pending credit (available later) opens an unreleased lot on the pending account;
 * - a release makes its lot spendable (paying any debt first);
 * - a debit takes from the oldest spendable lots first; one aimed at a lot (`sourceKey`: a refund of
 *   that sale, that lot's expiry) takes from it first; a reversal of a still-pending credit takes from
 *   that credit's lot on the pending account instead.
 * The customers' spendable accounts are locked (in id order) before their lots are read.
 */
export async function planLots(tx: DbTx, movements: Fresh[]): Promise<LotChanges> {
  const points = movements.filter((m) => m.unit === "points");
  const changes: LotChanges = { created: [], updated: [], accountOf: new Map(), balances: new Map() };
  if (!points.length) return changes;
  const customers = [...new Set(points.map((m) => m.customerId))];

  // Create missing spendable accounts first, so that even a brand-new customer's account row exists
  // to lock: two writers for one customer then queue here instead of both starting from zero.
  const tenantOf = new Map(points.map((m) => [m.customerId, m.tenantId]));
  const tenants = customers.map((c) => tenantOf.get(c)!);
  await tx.$executeRaw`
    INSERT INTO ledger_accounts (tenant_id, owner, kind)
    SELECT t, c, 'points' FROM unnest(${tenants}::text[], ${customers}::text[]) AS x(t, c)
    ON CONFLICT (tenant_id, owner, kind) DO NOTHING`;
  const balances = await tx.$queryRaw<{ owner: string; balance: bigint }[]>`
    SELECT owner, balance FROM ledger_accounts WHERE kind = 'points' AND owner = ANY(${customers}::text[]) ORDER BY id FOR UPDATE`;
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
  >`
    SELECT l.*, m.idempotency_key AS key FROM point_lots l JOIN ledger_movements m ON m.id = l.movement_id
    WHERE l.customer_id = ANY(${customers}::text[]) AND (l.remaining > 0 OR NOT l.released)
    ORDER BY l.customer_id, l.earned_at, l.id
    FOR UPDATE OF l`;
  const running = new Map(balances.map((b) => [b.owner, exactNumber(b.balance)]));
  const lotsOf = new Map<string, Lot[]>();
  const lotByKey = new Map<string, Lot>();
  for (const r of rows) {
    const lot: Lot = {
      id: r.id.toString(),
      tenantId: r.tenant_id,
      customerId: r.customer_id,
      movementId: r.movement_id,
      points: exactNumber(r.points),
      remaining: exactNumber(r.remaining),
      earnedAt: r.earned_at,
      availableAt: r.available_at,
      expiresAt: r.expires_at,
      released: r.released,
      dirty: false,
    };
    lotsOf.set(r.customer_id, [...(lotsOf.get(r.customer_id) ?? []), lot]);
    lotByKey.set(`${r.tenant_id}\u0000${r.key}`, lot);
  }

  for (const m of points) {
    if (!lotsOf.has(m.customerId)) lotsOf.set(m.customerId, []);
    const before = running.get(m.customerId) ?? 0;
    const source = m.sourceKey ? lotByKey.get(`${m.tenantId}\u0000${m.sourceKey}`) : undefined;
    const { account, after } = applyToLots(m, before, lotsOf.get(m.customerId)!, source, lotByKey, changes);
    running.set(m.customerId, after);
    changes.accountOf.set(m.id, account);
    changes.balances.set(m.id, { before, after });
  }
  return finish(changes, lotsOf);
}

function applyToLots(
  m: Fresh,
  balance: number,
  lots: Lot[],
  source: Lot | undefined,
  lotByKey: Map<string, Lot>,
  changes: LotChanges,
): { account: CustomerAccount; after: number } {
  const debt = Math.max(0, -balance);
  if (m.kind === "release") {
    if (source && !source.released) {
      source.released = true;
      source.remaining -= Math.min(source.remaining, debt);
      source.dirty = true;
    }
    return { account: "points", after: balance + m.amount };
  }
  if (m.amount > 0) {
    const availableAt = m.lot?.availableAt ?? m.occurredAt;
    const pending = availableAt.getTime() > m.occurredAt.getTime();
    const lot: Lot = {
      id: null,
      tenantId: m.tenantId,
      customerId: m.customerId,
      movementId: m.id,
      points: m.amount,
      remaining: pending ? m.amount : m.amount - Math.min(m.amount, debt),
      earnedAt: m.occurredAt,
      availableAt,
      expiresAt: m.lot?.expiresAt ?? null,
      released: !pending,
      dirty: false,
    };
    lots.push(lot);
    lotByKey.set(`${m.tenantId}\u0000${m.idempotencyKey}`, lot);
    changes.created.push(lot);
    return pending ? { account: "points_pending", after: balance } : { account: "points", after: balance + m.amount };
  }
  if (source && !source.released) {
    source.remaining -= Math.min(source.remaining, -m.amount);
    source.dirty = true;
    return { account: "points_pending", after: balance };
  }
  let need = -m.amount;
  // A debit aimed at a lot (its refund, its expiry) takes from that lot first, then first-in first-out.
  for (const lot of source ? [source, ...lots] : lots) {
    if (need === 0) break;
    if (!lot.released || lot.remaining === 0) continue;
    const take = Math.min(lot.remaining, need);
    lot.remaining -= take;
    lot.dirty = true;
    need -= take;
  }
  return { account: "points", after: balance + m.amount };
}

function finish(changes: LotChanges, lotsOf: Map<string, Lot[]>): LotChanges {
  for (const lots of lotsOf.values()) {
    for (const lot of lots)
      if (lot.id && lot.dirty) changes.updated.push({ id: lot.id, remaining: lot.remaining, released: lot.released });
  }
  return changes;
}
