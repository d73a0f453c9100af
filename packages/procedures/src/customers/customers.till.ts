import type { CustomerRef } from "@regulars/contracts";
import type { Db } from "@regulars/db";
import { DomainError } from "@regulars/errors";
import { customerSummary } from "@regulars/ledger-store";
import { tierShown } from "./customers.loyalty.ts";
import { findCustomerId } from "./customers.queries.ts";
import type { TillCustomerView } from "./customers.types.ts";

/** "Anna Maria Kowalska" → "Anna": enough to greet, not enough to identify. */
export const firstNameOf = (name: string | null): string | null => name?.trim().split(/\s+/)[0] || null;

/**
 * What a kiosk or POS terminal may show about a customer. Terminals sit on customer-facing hardware, so
 * this is built field by field from what the till needs (never by trimming the admin view): no full
 * name, phone, e-mail, date of birth or identities. An erased customer is not found, as by phone or card
 * (erasure deleted those identities): by id, or by an app token issued before the erasure, the row erasure
 * keeps for the ledger would still identify the account at the till.
 */
export async function getTillCustomer(
  db: Db,
  tenantId: string,
  ref: CustomerRef,
  now = new Date(),
): Promise<TillCustomerView> {
  const id = await findCustomerId(db, tenantId, ref);
  const customer = id
    ? await db.customer.findFirst({ where: { id, tenantId, erasedAt: null }, select: { id: true, name: true } })
    : null;
  if (!customer) throw new DomainError("not_found", "no customer matches");
  const { balances, standing: loyalty } = await customerSummary(db, tenantId, customer.id);
  const tier = await tierShown(db, tenantId, loyalty, now);
  return {
    view: "till",
    id: customer.id,
    firstName: firstNameOf(customer.name),
    tier: tier ? { id: tier } : null,
    points: { balance: balances.points, pending: balances.pendingPoints, held: balances.heldPoints },
    walletHeld: balances.heldWallet,
    wallet: balances.wallet,
  };
}
