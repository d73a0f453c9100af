import { type CustomerRef, identityOf } from "@regulars/contracts";
import type { Db } from "@regulars/db";
import { DomainError } from "@regulars/errors";
import { customerSummary, survivorsOf } from "@regulars/ledger-store";
import { floorView, tierShown } from "./customers.loyalty.ts";
import type { CustomerView } from "./customers.types.ts";

/** The customer a reference finds now: by id, the survivor of a merge that took it away (identities moved there). */
export async function findCustomerId(db: Db, tenantId: string, ref: CustomerRef): Promise<string | null> {
  const identity = identityOf(ref);
  if ("customerId" in identity) {
    const found = (await survivorsOf(db, [identity.customerId])).get(identity.customerId);
    return found?.tenantId === tenantId ? found.survivorId : null;
  }
  const found = await db.customerIdentity.findUnique({ where: { tenantId_kind_value: { tenantId, ...identity } } });
  return found?.customerId ?? null;
}

export async function getCustomer(db: Db, tenantId: string, ref: CustomerRef, now = new Date()): Promise<CustomerView> {
  const id = await findCustomerId(db, tenantId, ref);
  const customer = id ? await db.customer.findFirst({ where: { id, tenantId }, include: { identities: true } }) : null;
  if (!customer) throw new DomainError("not_found", "no customer matches");
  const { balances, standing: loyalty } = await customerSummary(db, tenantId, customer.id);
  const tier = await tierShown(db, tenantId, loyalty, now);
  return {
    view: "admin",
    id: customer.id,
    mergedFrom: ref.id && ref.id !== customer.id ? ref.id : null,
    name: customer.name,
    email: customer.email,
    phone: customer.phone,
    cardNumber: customer.cardNumber,
    dateOfBirth: customer.dateOfBirth?.toISOString().slice(0, 10) ?? null,
    createdVia: customer.createdVia,
    createdAt: customer.createdAt.toISOString(),
    identities: customer.identities.map((i) => ({ kind: i.kind, value: i.value })),
    points: { balance: balances.points, pending: balances.pendingPoints, held: balances.heldPoints },
    walletHeld: balances.heldWallet,
    wallet: balances.wallet,
    tier: tier ? { id: tier, since: loyalty?.tierSince?.toISOString() ?? null } : null,
    tierFloor: floorView(loyalty, now),
    lastActivityAt: loyalty?.lastActivityAt?.toISOString() ?? null,
    erasedAt: customer.erasedAt?.toISOString() ?? null,
  };
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
