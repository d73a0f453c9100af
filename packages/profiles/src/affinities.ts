import { factsAsOf, type OrderFact } from "./facts.ts";

export interface Affinity {
  tag: string;
  /** Share of all items bought that carried the tag, in [0, 1], rounded to 4 decimals. */
  share: number;
}

/**
 * `tagged / items` rounded half up to 4 decimals, in integers: a tie is then always a tie (1/32 = 0.03125 gives
 * 0.0313), where rounding the float share loses some (57/800 × 10,000 is 712.4999… as a double). Segments
 * compute the same expression in ClickHouse (`tag_affinity` in @regulars/segments); `items` > 0.
 */
export const affinityShare = (tagged: number, items: number): number =>
  Math.floor((Math.min(tagged, items) * 20_000 + items) / (2 * items)) / 10_000;

/**
 * Lifetime tag affinities: Σ quantity of sale lines carrying the tag / Σ quantity of all sale lines, as of
 * `now`. Refunds do not change them, not even those that void a sale: a refund returns money, not the taste the
 * purchase showed (and the segments' stored totals stay sums of sales alone). Highest share first, then by tag.
 * No sale lines → no affinities.
 */
export function tagAffinities(facts: readonly OrderFact[], now: Date): Affinity[] {
  let items = 0;
  const perTag = new Map<string, number>();
  for (const fact of factsAsOf(facts, now)) {
    if (fact.kind !== "sale") continue;
    items += fact.itemCount;
    for (const [tag, quantity] of Object.entries(fact.tagQuantities))
      perTag.set(tag, (perTag.get(tag) ?? 0) + quantity);
  }
  if (items <= 0) return [];
  return [...perTag]
    .map(([tag, quantity]) => ({ tag, quantity }))
    .sort((a, b) => b.quantity - a.quantity || (a.tag < b.tag ? -1 : 1))
    .map(({ tag, quantity }) => ({ tag, share: affinityShare(quantity, items) }));
}

/** A transaction's lines as the profile counts them: items, and items per tag (a tag named twice on a line counts once). */
export function lineQuantities(lines: readonly { quantity: number; tags: readonly string[] }[]): {
  itemCount: number;
  tagQuantities: Record<string, number>;
} {
  let itemCount = 0;
  // A Map, not an object literal: a tag is the till's text, and `__proto__` must stay a tag.
  const perTag = new Map<string, number>();
  for (const line of lines) {
    itemCount += line.quantity;
    for (const tag of new Set(line.tags)) perTag.set(tag, (perTag.get(tag) ?? 0) + line.quantity);
  }
  return { itemCount, tagQuantities: Object.fromEntries(perTag) };
}
