/**
 * Milestones a balance change crosses: upward when before < t ≤ after (ascending, in the order they were
 * passed), downward when after < t ≤ before (descending). Announcing only crossings, never "is above",
 * is what makes "You've reached 100 points" fire once per crossing. Duplicate thresholds count once.
 */
export function milestoneCrossings(
  before: number,
  after: number,
  thresholds: readonly number[],
): { up: number[]; down: number[] } {
  const unique = [...new Set(thresholds)].sort((a, b) => a - b);
  return {
    up: unique.filter((t) => before < t && t <= after),
    down: unique.filter((t) => after < t && t <= before).reverse(),
  };
}
