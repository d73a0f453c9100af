import type { LoyaltyState, WindowTotal } from "./loyalty.ts";

export type Window = LoyaltyState["qualifyingWindow"];

/**
 * Whether a sale made at `at` counts in the tier window `window` covers ([since, until); no window: nothing to tell
 * apart). A sale outside the window its transaction is judged in counts in a total that was not loaded (a state
 * holding only the window of a January sale knows nothing of December's): that total says nothing about the tier the
 * sale reached or keeps. Sale and refund planning both ask this one question.
 */
export const inQualifyingWindow = (window: Window, at: Date): boolean =>
  window === null || (at >= window.since && (window.until === null || at < window.until));

/**
 * The window a transaction made at `at` is judged in, as it would be in a batch of its own: the window of its own
 * time, where the batch loaded one for it (`windowsByTime`), else the one `qualifying` covers.
 */
export function judgingWindow(state: LoyaltyState, at: Date): { window: Window; total: () => number } {
  const own = state.windowsByTime?.get(at.getTime());
  return own
    ? { window: own, total: () => own.qualifying }
    : { window: state.qualifyingWindow, total: () => state.qualifying };
}

/**
 * Adds `delta` (what a sale counts, or minus what a refund takes back of it) to every window loaded that holds
 * `countedAt`, the sale's time: the store counts the sale (and its refunds) in each of them, so a later transaction
 * of the batch judged in any of them sees it, as it would once this one was stored.
 */
export function countInWindows(state: LoyaltyState, countedAt: Date, delta: number): void {
  if (inQualifyingWindow(state.qualifyingWindow, countedAt)) state.qualifying += delta;
  for (const w of new Set<WindowTotal>(state.windowsByTime?.values()))
    if (inQualifyingWindow(w, countedAt)) w.qualifying += delta;
}

/**
 * What a refund of a sale of a past period (one outside `judged`, the window the refund is judged in) is judged on:
 * the best of the sale's window's total (after the refund), the total of the window just before `judged` and
 * `judged`'s own. The window before is the one the last period-end run judged the tier on: a tier it kept rests on
 * that period's total, which a refund of an older sale does not touch (the store loads it beside such a refund,
 * under its last instant: `loadLoyaltyStates`). Null when the state holds no window of the sale (a caller that
 * loads one window only): with its period's total unknown, the upgrade is left to the tier job.
 */
export function pastSaleQualifying(
  state: LoyaltyState,
  saleAt: Date,
  judged: { window: Window; total: () => number },
): number | null {
  const own = judgingWindow(state, saleAt);
  if (!inQualifyingWindow(own.window, saleAt)) return null;
  return Math.max(own.total(), windowBefore(state, judged.window) ?? 0, judged.total());
}

/**
 * The total of the window just before `window`, where the state holds it (loaded under its last instant), else null:
 * what the period-end run that opened `window` judged the tier held through it on.
 */
export function windowBefore(state: LoyaltyState, window: Window): number | null {
  if (!window) return null;
  const lastInstant = new Date(window.since.getTime() - 1);
  const before = judgingWindow(state, lastInstant);
  return inQualifyingWindow(before.window, lastInstant) ? before.total() : null;
}
