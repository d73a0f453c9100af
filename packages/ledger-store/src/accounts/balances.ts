import { type Db, exactNumber } from "@regulars/db";
import { TENANT_OWNER } from "@regulars/ledger";

export interface CustomerBalances {
  points: number;
  pendingPoints: number;
  wallet: number;
  /** Reserved by checkout holds in force: part of the balances, not spendable elsewhere. */
  heldPoints: number;
  heldWallet: number;
}

/** Cached balances of a customer's accounts (kept equal to the sum of entries by postMovements). */
export async function customerBalances(db: Db, tenantId: string, customerId: string): Promise<CustomerBalances> {
  const [accounts, held] = await Promise.all([
    db.ledgerAccount.findMany({ where: { tenantId, owner: customerId }, select: { kind: true, balance: true } }),
    db.checkoutHold.aggregate({
      where: { tenantId, customerId, status: "held" },
      _sum: { points: true, wallet: true },
    }),
  ]);
  const of = (kind: string) => exactNumber(accounts.find((a) => a.kind === kind)?.balance ?? 0);
  return {
    points: of("points"),
    pendingPoints: of("points_pending"),
    wallet: of("wallet"),
    heldPoints: exactNumber(held._sum.points ?? 0),
    heldWallet: exactNumber(held._sum.wallet ?? 0),
  };
}

/** Accounts whose cached balance differs from the sum of their entries: must always be empty. */
export async function findBalanceDrift(
  db: Db,
  tenantId: string,
): Promise<{ accountId: string; cached: number; summed: number }[]> {
  const rows = await db.$queryRaw<{ id: bigint; balance: bigint; summed: bigint | null }[]>`
    SELECT a.id, a.balance, (SELECT sum(e.amount) FROM ledger_entries e WHERE e.account_id = a.id) AS summed
    FROM ledger_accounts a WHERE a.tenant_id = ${tenantId}`;
  return rows
    .map((r) => ({ accountId: r.id.toString(), cached: exactNumber(r.balance), summed: exactNumber(r.summed) }))
    .filter((r) => r.cached !== r.summed);
}

/** The tenant's counter-account of a unit (points or wallet issued): the sum of its shares. */
export async function tenantIssued(db: Db, tenantId: string, unit: "points" | "wallet"): Promise<number> {
  const [row] = await db.$queryRaw<{ balance: bigint | null }[]>`
    SELECT sum(balance) AS balance FROM ledger_accounts
    WHERE tenant_id = ${tenantId} AND kind = ${`${unit}_issued`} AND (owner = ${TENANT_OWNER} OR owner LIKE ${`${TENANT_OWNER}:%`})`;
  return exactNumber(row?.balance ?? 0);
}
