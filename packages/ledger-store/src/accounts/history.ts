import { type Db, type DbTx, exactNumber } from "@regulars/db";
import { DomainError } from "@regulars/errors";

export interface LedgerLine {
  id: string;
  kind: string;
  unit: string;
  amount: number;
  reason: string | null;
  actor: string | null;
  transactionId: string | null;
  occurredAt: string;
  createdAt: string;
}

const lineOf = (m: {
  id: string;
  kind: string;
  unit: string;
  amount: bigint;
  reason: string | null;
  actor: string | null;
  transactionId: string | null;
  occurredAt: Date;
  createdAt: Date;
}): LedgerLine => ({
  id: m.id,
  kind: m.kind,
  unit: m.unit,
  amount: exactNumber(m.amount),
  reason: m.reason,
  actor: m.actor,
  transactionId: m.transactionId,
  occurredAt: m.occurredAt.toISOString(),
  createdAt: m.createdAt.toISOString(),
});

/** A customer's movements, newest first; the cursor is the last movement id of the previous page (ids sort by time). */
export async function customerLedger(
  db: Db,
  tenantId: string,
  input: { customerId: string; cursor?: string | null; limit: number },
) {
  const customer = await db.customer.findFirst({ where: { id: input.customerId, tenantId }, select: { id: true } });
  if (!customer) throw new DomainError("not_found", "no customer matches");
  const rows = await db.ledgerMovement.findMany({
    where: { tenantId, customerId: customer.id, ...(input.cursor ? { id: { lt: input.cursor } } : {}) },
    orderBy: { id: "desc" },
    take: input.limit + 1,
  });
  const page = rows.slice(0, input.limit);
  return { items: page.map(lineOf), nextCursor: rows.length > input.limit ? page[page.length - 1]!.id : null };
}

/** The movements a transaction caused (its points, rewards, reversals), in order. */
export async function transactionMovements(db: Db, tenantId: string, transactionId: string): Promise<LedgerLine[]> {
  const rows = await db.ledgerMovement.findMany({ where: { tenantId, transactionId }, orderBy: { id: "asc" } });
  return rows.map(lineOf);
}

/** The id of the movement posted under `idempotencyKey`, or null when none was. */
export async function movementIdByKey(db: Db | DbTx, tenantId: string, idempotencyKey: string): Promise<string | null> {
  const row = await db.ledgerMovement.findFirst({ where: { tenantId, idempotencyKey }, select: { id: true } });
  return row?.id ?? null;
}
