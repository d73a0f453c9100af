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
