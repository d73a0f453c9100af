import { type GuessableIdentity, lookUpCountingMisses, namesGuessableIdentity } from "@regulars/checkout-store";
import type { CustomerRef } from "@regulars/contracts";
import type { Db } from "@regulars/db";
import { DomainError } from "@regulars/errors";
import { customerSummary } from "@regulars/ledger-store";
import type { TenantContext } from "../trpc.ts";
import { tierShown } from "./customers.loyalty.ts";
import { findCustomerId } from "./customers.queries.ts";
import { survivorIdOf } from "./customers.survivor.ts";
import type { TillCustomerView } from "./customers.types.ts";

/** Kiosks and POS terminals sit on customer-facing hardware: they get the till view of a customer. */
export const isTill = (ctx: TenantContext) => ctx.credential.role !== "admin";

/**
 * Runs a till's `lookUp` of the customer `ref` names counting, when it names them by a guessable identity, the
 * look-ups nobody answered against the till's key (`lookUpCountingMisses`): without it, a kiosk key taken off public
 * hardware learns who is a member, with their first name and points, at the rate limit's 180,000 numbers an hour.
 * Admin keys and staff are not counted: they may list every customer anyway.
 */
export function countedAtTill<T>(
  ctx: TenantContext,
  ref: GuessableIdentity | null | undefined,
  lookUp: () => Promise<T>,
): Promise<T> {
  if (!isTill(ctx) || !namesGuessableIdentity(ref)) return lookUp();
  const counts = ctx.checkoutPools?.missCounts ?? ctx.db;
  return lookUpCountingMisses(counts, { tenantId: ctx.tenantId, credentialId: ctx.credential.keyId }, lookUp, {
    ...(ctx.customerLookupLimit ? { limit: ctx.customerLookupLimit } : {}),
    ...(ctx.now ? { now: ctx.now() } : {}),
  });
}

/** Whether a till may read anything about the customer: one of the tenant's, and not erased. */
export async function readableAtTill(db: Db, tenantId: string, customerId: string): Promise<boolean> {
  return (await db.customer.count({ where: { id: customerId, tenantId, erasedAt: null } })) > 0;
}

/**
 * The customer whose loyalty data (ledger, tier) a till asks for by id: the survivor when the id was merged away.
 * An erased customer is not found, as `getTillCustomer` answers: erasure keeps the row and the balances for the
 * tenant's accounts only, and a till reading them by an old id would show the person's history to whoever stands there.
 */
export async function tillCustomerId(db: Db, tenantId: string, customerId: string): Promise<string> {
  const id = await survivorIdOf(db, tenantId, customerId);
  if (!(await readableAtTill(db, tenantId, id))) throw new DomainError("not_found", "no customer matches");
  return id;
}

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
