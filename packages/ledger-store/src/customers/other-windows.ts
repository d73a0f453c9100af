import type { ProgrammeConfig } from "@regulars/contracts";
import { exactNumber, Prisma, type RawTx } from "@regulars/db";
import type { LoyaltyState } from "@regulars/ledger";
import { tierPeriodEnd, tierWindowStart } from "@regulars/rules";
import { qualifyingItemsStatement, qualifyingStatement } from "../accounts/qualifying.ts";

type Tiers = NonNullable<ProgrammeConfig["tiers"]>;
type Window = { since: Date; until: Date | null };
type WindowTotal = NonNullable<LoyaltyState["windowsByTime"]> extends Map<number, infer W> ? W : never;

/** The tier window a transaction made at `at` is judged in: [since, until), until null for a rolling window. */
export const tierWindowOf = (tiers: Tiers, at: string, timezone: string): Window => ({
  since: tierWindowStart(tiers.window, at, timezone) ?? new Date(0),
  until: tiers.window === "calendar_year" ? tierPeriodEnd("calendar_year", at, timezone) : null,
});

/**
 * The tier windows a customer's transactions in the batch fall in besides their latest's (a December sale uploaded
 * late beside January ones; a rolling window moves with every sale), each with its total: a transaction is judged
 * in its own window, as in a batch of its own, whatever else the batch holds. One statement for every such customer,
 * none when every customer's transactions share one window (most batches).
 */
export async function loadOtherWindows(
  tx: RawTx,
  tenantId: string,
  states: Map<string, LoyaltyState>,
  tiers: Tiers,
  timezone: string,
  timesOf: ReadonlyMap<string, readonly string[]>,
): Promise<void> {
  const keyOf = (w: Window) => `${w.since.getTime()}/${w.until?.getTime() ?? ""}`;
  const others = new Map<string, { state: LoyaltyState; windows: WindowTotal[] }>();
  for (const [id, times] of timesOf) {
    const state = states.get(id);
    if (!state?.qualifyingWindow) continue;
    const latest = keyOf(state.qualifyingWindow);
    const windows = new Map<string, WindowTotal>();
    const byTime = new Map<number, WindowTotal>();
    for (const at of times) {
      const w = tierWindowOf(tiers, at, timezone);
      const key = keyOf(w);
      if (key === latest) continue;
      if (!windows.has(key)) windows.set(key, { ...w, qualifying: 0 });
      byTime.set(Date.parse(at), windows.get(key)!);
    }
    if (!byTime.size) continue;
    state.windowsByTime = byTime;
    others.set(id, { state, windows: [...windows.values()] });
  }
  if (!others.size) return;
  if (tiers.window === "calendar_year") await loadYears(tx, tenantId, tiers, others);
  else await loadNested(tx, tenantId, tiers, others);
}

/**
 * The tier windows of transactions judged by another programme version's tiers than the one `qualifying` was loaded
 * for (a sale dated before a programme change, beside sales dated after it, in one batch), where that version's
 * window or basis differs: each is judged on its own version's window and basis, as in a batch of its own. None is
 * the loaded window, even where the bounds match (the basis may not), so every one is read, in one statement.
 */
export async function loadWindowsOfTiers(
  tx: RawTx,
  tenantId: string,
  states: Map<string, LoyaltyState>,
  tiers: Tiers,
  timezone: string,
  timesOf: ReadonlyMap<string, readonly string[]>,
): Promise<void> {
  const keyOf = (w: Window) => `${w.since.getTime()}/${w.until?.getTime() ?? ""}`;
  const others = new Map<string, { windows: WindowTotal[] }>();
  for (const [id, times] of timesOf) {
    const state = states.get(id);
    if (!state) continue;
    const windows = new Map<string, WindowTotal>();
    state.windowsByTime ??= new Map();
    for (const at of times) {
      const w = tierWindowOf(tiers, at, timezone);
      const key = keyOf(w);
      if (!windows.has(key)) windows.set(key, { ...w, qualifying: 0 });
      state.windowsByTime.set(Date.parse(at), windows.get(key)!);
    }
    if (windows.size) others.set(id, { windows: [...windows.values()] });
  }
  if (others.size) await loadYears(tx, tenantId, tiers, others);
}

/**
 * A customer's rolling windows all run to the present, so they nest: a window's total is the loaded window's plus
 * (or less) what counts between their starts. One read of each customer's qualifying items between the earliest and
 * the latest start, summed from the end (a window per statement arm read the whole year again for every sale).
 */
async function loadNested(
  tx: RawTx,
  tenantId: string,
  tiers: Tiers,
  others: Map<string, { state: LoyaltyState; windows: WindowTotal[] }>,
): Promise<void> {
  const ids = [...others.keys()];
  const starts = ids.map((id) => {
    const { state, windows } = others.get(id)!;
    const times = [state.qualifyingWindow!.since, ...windows.map((w) => w.since)].map((d) => d.getTime());
    return { from: new Date(Math.min(...times)), to: new Date(Math.max(...times)) };
  });
  const rows = await tx.$queryRaw<{ customer_id: string; at: Date; value: bigint | number }[]>(
    qualifyingItemsStatement(
      tenantId,
      ids,
      tiers.basis,
      starts.map((s) => s.from),
      starts.map((s) => s.to),
    ),
  );
  const itemsOf = new Map<string, { at: number; value: number }[]>();
  for (const r of rows) {
    const items = itemsOf.get(r.customer_id) ?? itemsOf.set(r.customer_id, []).get(r.customer_id)!;
    items.push({ at: r.at.getTime(), value: exactNumber(r.value) });
  }
  for (const [id, { state, windows }] of others) {
    const fromStart = suffixSums(itemsOf.get(id) ?? []);
    const loaded = fromStart(state.qualifyingWindow!.since.getTime());
    for (const w of windows) w.qualifying = state.qualifying + fromStart(w.since.getTime()) - loaded;
  }
}

/** A function giving the sum of the items at or after a time: items sorted once, then a binary search each. */
function suffixSums(items: readonly { at: number; value: number }[]): (from: number) => number {
  const sorted = [...items].sort((a, b) => a.at - b.at);
  const after = new Array<number>(sorted.length + 1).fill(0);
  for (let i = sorted.length - 1; i >= 0; i--) after[i] = after[i + 1]! + sorted[i]!.value;
  return (from) => {
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (sorted[mid]!.at < from) lo = mid + 1;
      else hi = mid;
    }
    return after[lo]!;
  };
}

/**
 * Calendar years do not nest; a batch spans at most two, so a customer has few other windows. They are read in
 * rounds (a customer's n-th other window in round n) joined in one UNION ALL: `qualifyingStatement` sums per
 * customer, one window each. Rolling windows too, where no loaded window is there to nest them in (`until` null).
 */
async function loadYears(
  tx: RawTx,
  tenantId: string,
  tiers: Tiers,
  others: Map<string, { windows: WindowTotal[] }>,
): Promise<void> {
  const rounds: Map<string, WindowTotal>[] = [];
  for (const [id, { windows }] of others)
    windows.forEach((w, n) => {
      rounds[n] = (rounds[n] ?? new Map()).set(id, w);
    });
  const arms = rounds.map((round, n) => {
    const windows = [...round.values()];
    const sums = qualifyingStatement(
      tenantId,
      [...round.keys()],
      tiers.basis,
      windows.map((w) => w.since),
      windows.map((w) => w.until),
    );
    return Prisma.sql`SELECT ${n}::int AS round, q.customer_id, q.value FROM (${sums}) q`;
  });
  const rows = await tx.$queryRaw<{ round: number; customer_id: string; value: bigint }[]>(
    Prisma.join(arms, " UNION ALL "),
  );
  for (const r of rows) rounds[r.round]!.get(r.customer_id)!.qualifying = exactNumber(r.value);
}
