import {
  defaultProgramme,
  storedFingerprintMatches,
  type TierProgramme,
  type TransactionMessage,
  transactionFingerprint,
} from "@regulars/contracts";
import { sqlArray } from "@regulars/db";
import { stableId } from "@regulars/ids";
import { type LoyaltyState, planRefund } from "@regulars/ledger";
import type { SaleUpgrade } from "@regulars/rules";
import { loadUpgrades } from "../customers/upgrades.ts";
import { returnSaleCheckout } from "../holds/return-checkout.ts";
import type { BatchWork } from "./batch-work.ts";
import { type ParkedRefund, takeParkedRefunds, type UnreadableTaken } from "./parked.ts";
import type { RefundedSale } from "./sale-records.ts";
import type { TransactionRow } from "./store.ts";

/**
 * A refund in a batch: it reverses what its sale earned (the sale stored, or earlier in the batch), parks when
 * the sale has not arrived, and the refunds parked for the batch's sales apply right after them.
 */
export async function applyRefund(work: BatchWork, i: number, records: Map<string, RefundedSale>): Promise<void> {
  const m = work.messages[i]!;
  const saleId = work.saleIdOf.get(i)!;
  const sale = (work.saleEarlierInBatch(saleId, i) ? work.batchSales.get(saleId) : undefined) ?? records.get(saleId);
  if (!sale) return waitForSale(work, i);
  // What a refund takes back follows the programme in force at the refund (the defaults without one), but for the
  // thresholds the tier upgrades it judges were reached at (`tiersOfUpgrades`).
  const programme = await work.deps.programmes.inForce(m.tenantId, new Date(m.transaction.occurredAt));
  const before = { money: sale.refundedTotal, count: sale.refundCount };
  const state = sale.customerId ? work.states.get(sale.customerId) : undefined;
  const config = programme?.config ?? defaultProgramme;
  const tiersAt =
    config.tiers && config.refunds.tierRewards ? await tiersOfUpgrades(work, m.tenantId, sale, state) : undefined;
  const plan = planRefund(m, sale, state, config, programme?.timezone, tiersAt);
  if (plan.rejected) return work.reject(i, plan.rejected.code, plan.rejected.message);
  work.noteQualifying(i, state, config.tiers, plan.qualifying);
  const row: TransactionRow = {
    message: m,
    bodyHash: work.hashes[i]!,
    customerId: sale.customerId,
    points: plan.points,
    programmeVersion: null,
    explanation: plan.explanation,
    effects: plan.effects,
    refundsLineNo: plan.refundsLineNo,
  };
  work.rows.push(row);
  work.movements.push(...plan.movements);
  work.events.push(...plan.events);
  if (programme) {
    const back = await returnSaleCheckout(work.tx, { message: m, sale, before, programme, pending: work.movements });
    work.movements.push(...back.movements);
    work.events.push(...back.events);
    // The uses it gave back go on its transaction.processed (an anonymous sale's have no coupon.redeemed), and stay
    // in its effects for the relay to rebuild that event from.
    if (back.uses.length) {
      row.couponUses = back.uses;
      row.effects = { ...plan.effects, couponUses: back.uses };
    }
  }
}

/**
 * The tiers in force when each upgrade the refund may take back was made (the refunded sale's own and the customer's
 * loaded ones), read here as `planRefund` reads nothing: it judges each upgrade against the thresholds it was reached
 * at, so a version that raised one since does not make a refund take back a tier the value left still earned.
 */
async function tiersOfUpgrades(
  work: BatchWork,
  tenantId: string,
  sale: RefundedSale,
  state: LoyaltyState | undefined,
): Promise<((at: Date) => TierProgramme | undefined) | undefined> {
  if (!state) return undefined;
  const times = new Set((state.upgrades ?? []).map((u) => u.at.getTime()));
  if (sale.effects.tier) times.add(sale.occurredAt.getTime());
  // The end of the sale's window: a refund re-judging the year a year-end run judged does it by that run's tiers.
  const windowEnd = state.windowsByTime?.get(sale.occurredAt.getTime())?.until;
  if (windowEnd) times.add(windowEnd.getTime());
  const tiers = new Map<number, TierProgramme | undefined>();
  for (const at of times) tiers.set(at, (await work.deps.programmes.inForce(tenantId, new Date(at)))?.config.tiers);
  return (at) => tiers.get(at.getTime());
}

/**
 * The sale may still be on its way (an offline till uploads late, its partition is behind, or it comes later in
 * this very batch): the refund is parked and applied right after the sale arrives. It is never refused here: its
 * wait starts when the ledger parks it (`parkRefunds`), not when the gateway received it, so a ledger catching up
 * on a backlog longer than the wait still finds the sales of the refunds it reads first; the sweep refuses it once
 * it has waited the whole wait.
 */
function waitForSale(work: BatchWork, i: number): void {
  work.parkings.push({
    message: work.messages[i]!,
    saleId: work.saleIdOf.get(i)!,
    subject: work.opts.sources?.[i]?.subject ?? "",
  });
}

/** After the batch's sales: the refunds that were parked waiting for them, each right after its sale. */
export async function applyParkedRefunds(work: BatchWork, records: Map<string, RefundedSale>): Promise<void> {
  const sales = [...work.batchSales.keys()];
  const deadLetter = work.opts.deadLetterUnreadable;
  const letter =
    deadLetter &&
    (async (refunds: UnreadableTaken[]) => {
      await deadLetter(refunds);
      work.deadLettered.push(...refunds);
    });
  // Refunds that came before their sale in this very batch wait only until the end of it.
  const early = work.parkings.filter((p) => work.batchSales.has(p.saleId));
  work.parkings.splice(0, work.parkings.length, ...work.parkings.filter((p) => !work.batchSales.has(p.saleId)));
  const parked = [
    ...early,
    ...(await takeParkedRefunds(work.tx, [...new Set(work.messages.map((m) => m.tenantId))], sales, letter)),
  ];
  if (!parked.length) return;
  await loadUpgradesForParked(work, parked);
  const stored = new Map(
    (
      await work.tx.$queryRaw<
        { id: string; body_hash: string | null }[]
      >`SELECT id, body_hash FROM transactions WHERE id = ANY(${sqlArray(parked.map((p) => p.message.transactionId))}::text[])`
    ).map((r) => [r.id, r.body_hash]),
  );
  const bodyUnder = (id: string) =>
    stored.has(id) ? stored.get(id) : work.rows.find((r) => r.message.transactionId === id)?.bodyHash;
  for (const p of parked) {
    const i = work.messages.push(p.message) - 1;
    work.hashes.push(p.bodyHash ?? transactionFingerprint(p.message.transaction));
    work.outcomes.push({ kind: "done" });
    const taken = bodyUnder(p.message.transactionId);
    if (taken === undefined) {
      work.saleIdOf.set(i, stableId("transaction", p.message.tenantId, p.message.transaction.refundOf!));
      await applyRefund(work, i, records);
    } else if (taken === null || !storedFingerprintMatches(taken, p.message.transaction, work.hashes[i]!)) {
      // A transaction under its externalId was applied before this refund's parking could be seen (by another
      // worker, or earlier in this batch): the refund is refused with the reason, never dropped.
      work.reject(i, "idempotency_conflict", takenWhileWaiting(p.message));
    }
  }
}

/**
 * A batch that refunds nothing of its own plans its sales on states without the customers' upgrades (the common
 * batch reads none, `loadStates`), and learns only here that refunds wait for its sales. They judge every upgrade
 * in force, as a refund in the batch does: the stored ones are read now, and the batch's own are added in the
 * order they applied, as `planSale` adds them to a state that holds them. A tenant's batch that refunds anything
 * read them before its sales: only states still without them are read, so a refund in it changed none of these.
 */
async function loadUpgradesForParked(work: BatchWork, parked: ParkedRefund[]): Promise<void> {
  const byTenant = new Map<string, Map<string, LoyaltyState>>();
  for (const { message: m } of parked) {
    const programme = await work.deps.programmes.inForce(m.tenantId, new Date(m.transaction.occurredAt));
    if (!programme?.config.tiers || !programme.config.refunds.tierRewards) continue;
    const sale = work.batchSales.get(stableId("transaction", m.tenantId, m.transaction.refundOf!));
    const state = sale?.customerId ? work.states.get(sale.customerId) : undefined;
    if (!state || state.upgrades) continue;
    (byTenant.get(m.tenantId) ?? byTenant.set(m.tenantId, new Map()).get(m.tenantId)!).set(state.customerId, state);
  }
  for (const [tenantId, states] of byTenant) {
    await loadUpgrades(work.tx, tenantId, states);
    for (const r of work.rows) {
      const tier = (r.effects as { tier?: SaleUpgrade["upgrade"] } | null)?.tier;
      const state = r.customerId ? states.get(r.customerId) : undefined;
      if (tier && state)
        state.upgrades!.push({
          saleId: r.message.transactionId,
          at: new Date(r.message.transaction.occurredAt),
          upgrade: tier,
        });
    }
  }
}

function takenWhileWaiting({ transaction: refund }: TransactionMessage): string {
  return `externalId ${refund.externalId} was used by another transaction with a different body while this refund waited for its sale ${refund.refundOf}; the refund was not applied: post it again under a new externalId`;
}
