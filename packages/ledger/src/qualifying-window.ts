import type { LoyaltyState } from "./loyalty.ts";

/**
 * Whether a sale made at `at` counts in the tier window the state's `qualifying` covers ([since, until); no window:
 * nothing to tell apart). The window follows the customer's latest sale in the batch, so an offline sale of an earlier
 * period uploaded beside it lies outside: its points counted in a total the batch did not load, and the window's
 * total says nothing about the tier that sale reached or keeps. Sale and refund planning both ask this one question.
 */
export const inQualifyingWindow = (window: LoyaltyState["qualifyingWindow"], at: Date): boolean =>
  window === null || (at >= window.since && (window.until === null || at < window.until));
