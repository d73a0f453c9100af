import type { Quote } from "./basket.ts";

type QuotePoints = Quote["points"];

/** The one points card checkout shows: the amount it names, the quote that prices it, and whether it is chosen. */
export interface PointsOffer {
  points: number;
  priced: QuotePoints;
  chosen: boolean;
}

/**
 * What the points section offers: the points the customer chose (with the reason when they were refused), or
 * what the preview priced. A programme that lets nobody spend points has nothing to offer, so there is no card
 * to refuse; a refusal this customer or basket could change (too few points, a minimum) still says why.
 */
export function pointsOffer(quote: Quote, preview: Quote | undefined): PointsOffer | null {
  const spent = quote.points;
  if (spent.applied > 0 || spent.refusal) return { points: spent.requested, priced: spent, chosen: true };
  const previewed = preview?.points;
  if (!previewed || previewed.refusal?.code === "points_not_redeemable") return null;
  return { points: previewed.requested, priced: previewed, chosen: false };
}
