import { type CustomerRef, identityOf } from "@regulars/contracts";
import { type Db, exactNumber } from "@regulars/db";
import { DomainError } from "@regulars/errors";
import { customerBalances } from "@regulars/ledger-store";
import type { CustomerView, LedgerLine } from "./customers.types.ts";

export async function findCustomerId(db: Db, tenantId: string, ref: CustomerRef): Promise<string | null> {
  const identity = identityOf(ref);
  if ("customerId" in identity) {
    const found = await db.customer.findFirst({ where: { id: identity.customerId, tenantId }, select: { id: true } });
    return found?.id ?? null;
  }
  const found = await db.customerIdentity.findUnique({ where: { tenantId_kind_value: { tenantId, ...identity } } });
  return found?.customerId ?? null;
}

export async function getCustomer(db: Db, tenantId: string, ref: CustomerRef): Promise<CustomerView> {
  const id = await findCustomerId(db, tenantId, ref);
  const customer = id ? await db.customer.findFirst({ where: { id, tenantId }, include: { identities: true } }) : null;
  if (!customer) throw new DomainError("not_found", "no customer matches");
  const [balances, loyalty] = await Promise.all([
    customerBalances(db, tenantId, customer.id),
    db.customerLoyalty.findUnique({ where: { customerId: customer.id } }),
  ]);
  return {
    view: "admin",
    id: customer.id,
    name: customer.name,
    email: customer.email,
    phone: customer.phone,
    cardNumber: customer.cardNumber,
    dateOfBirth: customer.dateOfBirth?.toISOString().slice(0, 10) ?? null,
    createdVia: customer.createdVia,
    createdAt: customer.createdAt.toISOString(),
    identities: customer.identities.map((i) => ({ kind: i.kind, value: i.value })),
    points: { balance: balances.points, pending: balances.pendingPoints },
    wallet: balances.wallet,
    tier: loyalty?.tier ? { id: loyalty.tier, since: loyalty.tierSince?.toISOString() ?? null } : null,
    lastActivityAt: loyalty?.lastActivityAt?.toISOString() ?? null,
  };
}

/** Newest first; the cursor is the last movement id of the previous page (ids sort by time). */
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
  const items: LedgerLine[] = page.map((m) => ({
    id: m.id,
    kind: m.kind,
    unit: m.unit,
    amount: exactNumber(m.amount),
    reason: m.reason,
    actor: m.actor,
    transactionId: m.transactionId,
    occurredAt: m.occurredAt.toISOString(),
    createdAt: m.createdAt.toISOString(),
  }));
  return { items, nextCursor: rows.length > input.limit ? page[page.length - 1]!.id : null };
}

export async function searchCustomers(db: Db, tenantId: string, input: { query: string; limit: number }) {
  const q = input.query;
  const rows = await db.customer.findMany({
    where: {
      tenantId,
      OR: [
        { id: q },
        { phone: { startsWith: q } },
        { cardNumber: { startsWith: q } },
        { email: { startsWith: q, mode: "insensitive" } },
        { name: { contains: q, mode: "insensitive" } },
      ],
    },
    orderBy: { createdAt: "desc" },
    take: input.limit,
  });
  return rows.map((c) => ({
    id: c.id,
    name: c.name,
    phone: c.phone,
    email: c.email,
    cardNumber: c.cardNumber,
    createdAt: c.createdAt.toISOString(),
  }));
}
