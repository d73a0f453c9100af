import { planSale, saleRecordOf } from "@regulars/ledger";
import { programmeFor } from "../customers/segment-memberships.ts";
import { commitSaleCheckout, paidAfterCheckout } from "../holds/commit.ts";
import type { BatchWork } from "./batch-work.ts";
import { explanationWithCouponCodes } from "./posted-codes.ts";
import { withWalletPaid } from "./wallet-paid.ts";

/** A sale in a batch: its checkout is committed first, then it earns on what the customer paid (`planSale`). */
export async function applySale(work: BatchWork, i: number) {
  const m = work.messages[i]!;
  const customerId = work.customerOf.get(i) ?? null;
  // The sale's location names the clock its weekdays, hours and birthday are read on (`localZone`).
  const programme = await work.deps.programmes.inForce(
    m.tenantId,
    new Date(m.transaction.occurredAt),
    m.transaction.locationId,
  );
  const state = customerId ? work.states.get(customerId) : undefined;
  const row = { message: m, bodyHash: work.hashes[i]!, customerId };
  // What the checkout spent is committed first: points earn only on the money the customer paid.
  // Anonymous sales too: a code used without a customer still counts against its limits.
  const checkout =
    programme && (m.transaction.holdId || m.transaction.couponCodes.length)
      ? await commitSaleCheckout(work.tx, { message: m, customerId, programme })
      : null;
  // The hold it names ended before it arrived: its discounts from the hold are paid by nothing, and the till is told.
  if (checkout?.holdEnded) return work.reject(i, "hold_ended", checkout.holdEnded);
  if (checkout) {
    work.movements.push(...checkout.movements);
    work.events.push(...checkout.events);
  }
  const paid = checkout?.lineDiscounts
    ? withWalletPaid(paidAfterCheckout(m, checkout.lineDiscounts), checkout.lineWallet)
    : m;
  // Anonymous sales are recorded for analytics but earn nothing: there is no one to credit.
  const plan =
    programme && state && customerId
      ? planSale(paid, state, programmeFor(programme, work.memberships, customerId), m.transaction.total)
      : null;
  work.rows.push({
    ...row,
    points: plan?.points ?? 0,
    programmeVersion: programme?.version ?? null,
    explanation: explanationWithCouponCodes(plan?.explanation ?? null, checkout?.couponCodes ?? []),
    effects: plan?.effects ?? null,
    couponUses: checkout?.uses,
  });
  if (plan) {
    work.movements.push(...plan.movements);
    work.events.push(...plan.events);
    work.noteQualifying(i, state, programme?.config.tiers, plan.qualifying);
  }
  // A refund later in the batch looks for a hold and coupon uses only where this checkout may have committed them.
  const checkoutUsed = {
    hold: checkout !== null && !!customerId && !!m.transaction.holdId,
    coupons: checkout !== null,
  };
  work.batchSales.set(m.transactionId, { ...saleRecordOf(m, customerId, plan), checkoutUsed });
}
