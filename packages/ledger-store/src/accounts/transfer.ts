import { type DbTx, exactNumber, Prisma } from "@regulars/db";
import { mergeKey, type NewMovement } from "@regulars/ledger";
import { postMovements } from "./movements.ts";

export interface TransferredBalances {
  points: number;
  pendingPoints: number;
  wallet: number;
}

interface LotRow {
  remaining: bigint;
  available_at: Date;
  expires_at: Date | null;
  earned_at: Date;
  released: boolean;
  key: string;
}

/**
 * Moves everything `fromId` holds to `intoId` in transfer_out/transfer_in pairs posted through the
 * ledger (entries, lots, cached balances), so the merged customer's balances end at zero and both
 * ledgers still equal the sums of their entries. Points go lot by lot: each open lot leaves the merged
 * customer (aimed at that lot) and opens a lot on the survivor with the same expiry and the same earning date
 * (its place first-in first-out: dated at the merge, old points would be spent last and left to expire), still
 * pending until the same moment when it was pending; its key names the lot's (`mergeKey`), so a refund of the sale that
 * earned it finds it on the survivor (`originalLotKey`). A debt (a negative balance a refund left) moves the same way,
 * as does wallet cash. No points.* events: nobody earned or spent anything; customer.updated says why.
 * The caller (a customer merge) holds both customers' row locks; the accounts are locked here as the ledger
 * jobs lock them.
 */
export async function transferBalances(
  tx: DbTx,
  tenantId: string,
  fromId: string,
  intoId: string,
  now: Date,
): Promise<TransferredBalances> {
  const owners = [fromId, intoId];
  await tx.$executeRaw`
    INSERT INTO ledger_accounts (tenant_id, owner, kind)
    SELECT ${tenantId}, o, 'points' FROM unnest(${owners}::text[]) AS o ON CONFLICT (tenant_id, owner, kind) DO NOTHING`;
  const accounts = await tx.$queryRaw<{ kind: string; balance: bigint; owner: string }[]>`
    SELECT kind, balance, owner FROM ledger_accounts WHERE tenant_id = ${tenantId} AND owner = ANY(${owners}::text[])
    ORDER BY id FOR UPDATE`;
  const balanceOf = (kind: string) =>
    exactNumber(accounts.find((a) => a.owner === fromId && a.kind === kind)?.balance ?? 0);
  const lots = await tx.$queryRaw<LotRow[]>(mergedLotsStatement(tenantId, fromId));

  const reason = `merged into ${intoId}`;
  const pair = (
    unit: "points" | "wallet",
    amount: number,
    suffix: string,
    lot?: { sourceKey: string; availableAt: Date; expiresAt: Date | null; earnedAt: Date },
  ): NewMovement[] => [
    {
      tenantId,
      customerId: fromId,
      kind: "transfer_out",
      unit,
      amount: -amount,
      idempotencyKey: mergeKey(fromId, "out", suffix),
      sourceKey: lot?.sourceKey ?? null,
      reason,
      occurredAt: now,
    },
    {
      tenantId,
      customerId: intoId,
      kind: "transfer_in",
      unit,
      amount,
      idempotencyKey: mergeKey(fromId, "in", suffix),
      reason: `merged from ${fromId}`,
      occurredAt: now,
      ...(lot && amount > 0
        ? { lot: { availableAt: lot.availableAt, expiresAt: lot.expiresAt, earnedAt: lot.earnedAt } }
        : {}),
    },
  ];

  const movements: NewMovement[] = [];
  let spendableInLots = 0;
  let pending = 0;
  for (const l of lots) {
    const remaining = exactNumber(l.remaining);
    if (l.released) spendableInLots += remaining;
    else pending += remaining;
    const availableAt = l.released || l.available_at.getTime() < now.getTime() ? now : l.available_at;
    movements.push(
      ...pair("points", remaining, `lot:${l.key}`, {
        sourceKey: l.key,
        availableAt,
        expiresAt: l.expires_at,
        earnedAt: l.earned_at,
      }),
    );
  }
  // What no lot explains: a debt (negative balance) that later earning would have paid off.
  const points = balanceOf("points");
  const residual = points - spendableInLots;
  if (residual !== 0) movements.push(...pair("points", residual, "points"));
  const wallet = balanceOf("wallet");
  if (wallet !== 0) movements.push(...pair("wallet", wallet, "wallet"));
  await postMovements(tx, movements);
  return { points, pendingPoints: pending, wallet };
}

/** The open lots of a customer merged away, oldest first and locked, through `point_lots_customer_live_idx`. */
export function mergedLotsStatement(tenantId: string, fromId: string): Prisma.Sql {
  return Prisma.sql`
    SELECT l.remaining, l.available_at, l.expires_at, l.earned_at, l.released, m.idempotency_key AS key
    FROM point_lots l JOIN ledger_movements m ON m.id = l.movement_id
    WHERE l.tenant_id = ${tenantId} AND l.customer_id = ${fromId} AND l.remaining > 0
    ORDER BY l.earned_at, l.id FOR UPDATE OF l`;
}
