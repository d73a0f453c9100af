import type { ProgrammeConfig } from "@regulars/contracts";
import type { ProgrammeAt } from "@regulars/ledger";
import { loadLoyaltyStates, tierWindowOf } from "../customers/loyalty-state.ts";
import { loadMemberships } from "../customers/segment-memberships.ts";
import type { BatchWork } from "./batch-work.ts";
import type { RefundedSale } from "./sale-records.ts";

type Tiers = NonNullable<ProgrammeConfig["tiers"]>;

/** The loyalty state (tier, caps, stamp cards, window totals) of every customer the batch moves. */
export async function loadStates(work: BatchWork, fresh: number[], records: Map<string, RefundedSale>) {
  for (const tenantId of new Set(fresh.map((i) => work.messages[i]!.tenantId))) {
    const mine = fresh.filter((i) => work.messages[i]!.tenantId === tenantId && work.outcomes[i]!.kind === "done");
    if (!mine.length) continue;
    const times = mine
      .map((i) => work.messages[i]!.transaction.occurredAt)
      .sort((a, b) => Date.parse(a) - Date.parse(b));
    // Which state to load follows the programme in force at each transaction (caps, tiers, stamp cards), as each
    // is judged by its own (`applySale`, `applyRefund`): a sale dated before a programme change, beside one dated
    // after it, meets its own version's cap, card and tier window. `qualifying` is loaded on the latest's tiers.
    const latest = await work.deps.programmes.inForce(tenantId, new Date(times[times.length - 1]!));
    if (!latest) continue;
    const versionOf = new Map<number, ProgrammeAt>();
    for (const i of mine)
      versionOf.set(
        i,
        (await work.deps.programmes.inForce(tenantId, new Date(work.messages[i]!.transaction.occurredAt)))!,
      );
    const others = new Map<number, ProgrammeConfig>();
    for (const v of versionOf.values()) if (v.version !== latest.version) others.set(v.version, v.config);
    work.milestones.set(tenantId, latest.config.milestones);
    const customers = mine.map((i) =>
      work.isRefund(i)
        ? (records.get(work.saleIdOf.get(i)!)?.customerId ?? work.batchSaleCustomer(i))
        : work.customerOf.get(i),
    );
    const ids = customers.filter((c): c is string => !!c);
    if (!ids.length) continue;
    const configs = [...versionOf.values()].map((v) => v.config);
    for (const [id, segments] of await loadMemberships(work.tx, tenantId, ids, configs))
      work.memberships.set(id, segments);
    // Each customer's tier window ends at their own latest transaction in the batch; a transaction of another
    // window (a late December sale beside January ones) is judged in its own, so the batching changes nothing.
    // A refund of a stored sale outside the refund's own window (a December sale refunded in January) adds the
    // sale's time: it is judged on the sale's window's total after it, loaded whatever else the batch holds. A
    // refund inside its window adds nothing, so nothing more is read for it.
    // A transaction judged by another version's tiers is timed apart, per window and basis: the same ones as the
    // latest's share its windows (most batches, even across a programme change: one version for the whole batch).
    const toOf = new Map<string, string>();
    const timesOf = new Map<string, string[]>();
    const otherTiers = new Map<string, { tiers: Tiers; timesOf: Map<string, string[]> }>();
    const addTime = (into: Map<string, string[]>, id: string, at: string) => {
      if (!into.get(id)?.push(at)) into.set(id, [at]);
    };
    const latestTiers = latest.config.tiers;
    const timesFor = (tiers: Tiers) => {
      if (latestTiers && tiers.window === latestTiers.window && tiers.basis === latestTiers.basis) return timesOf;
      const key = `${tiers.window}/${tiers.basis}`;
      return (otherTiers.get(key) ?? otherTiers.set(key, { tiers, timesOf: new Map() }).get(key)!).timesOf;
    };
    const pastPeriodSale = (i: number, tiers: Tiers) => {
      const sale = work.isRefund(i) ? records.get(work.saleIdOf.get(i)!) : undefined;
      if (!sale) return undefined;
      const own = tierWindowOf(tiers, work.messages[i]!.transaction.occurredAt, latest.timezone);
      return sale.occurredAt < own.since || (own.until !== null && sale.occurredAt >= own.until) ? sale : undefined;
    };
    mine.forEach((i, k) => {
      const id = customers[k];
      if (!id) return;
      const at = work.messages[i]!.transaction.occurredAt;
      const before = toOf.get(id);
      if (!before || Date.parse(at) > Date.parse(before)) toOf.set(id, at);
      const tiers = versionOf.get(i)!.config.tiers;
      // A version without tiers judges no tier: nothing to load for its transactions.
      if (!tiers) return;
      const into = timesFor(tiers);
      addTime(into, id, at);
      const past = pastPeriodSale(i, tiers);
      if (past?.customerId === id) addTime(into, id, past.occurredAt.toISOString());
    });
    const loaded = await loadLoyaltyStates(work.tx, tenantId, ids, {
      config: latest.config,
      ...(others.size ? { otherConfigs: [...others.values()] } : {}),
      ...(otherTiers.size ? { otherTiers: [...otherTiers.values()] } : {}),
      timezone: latest.timezone,
      from: times[0]!,
      to: times[times.length - 1]!,
      toOf,
      timesOf,
      upgrades:
        mine.some((i) => work.isRefund(i)) &&
        [...versionOf.values()].some((v) => v.config.tiers && v.config.refunds.tierRewards),
      stamps: mine.some(
        (i) => work.isRefund(i) && Object.keys(records.get(work.saleIdOf.get(i)!)?.effects.stamps ?? {}).length > 0,
      ),
    });
    for (const [id, state] of loaded) work.states.set(id, state);
  }
}
