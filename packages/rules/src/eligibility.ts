import type { EarningRule, LineMatch, ProgrammeConfig, RuleOfType } from "@regulars/contracts";
import type { BasketLine, RuleContext } from "./types.ts";

/** What the customer actually paid for a line; a line paid by rewards or discounts earns only on this. */
export function paidAmount(line: Pick<BasketLine, "quantity" | "unitPrice" | "discount">): number {
  // Clamped: a malformed over-discounted line must not subtract from the rest of the basket.
  return Math.max(0, line.quantity * line.unitPrice - line.discount);
}

/**
 * Units of a line that money was paid toward, for rules that count items: a unit a reward or points paid for in
 * full does not count (3 coffees with one free count 2), one partly paid does (a 10% coupon on 3 coffees counts 3).
 * Equal to min(quantity, ceil(paid / unitPrice)), in integer arithmetic on minor units.
 */
export function paidUnits(line: Pick<BasketLine, "quantity" | "unitPrice" | "discount">): number {
  const paid = paidAmount(line);
  if (paid <= 0) return 0; // also every line with unitPrice 0
  const partial = paid % line.unitPrice;
  return Math.min(line.quantity, (paid - partial) / line.unitPrice + (partial > 0 ? 1 : 0));
}

/** A line matches when ANY listed sku, category or tag matches (exact, case-sensitive strings). */
export function matchesLine(match: LineMatch, line: Pick<BasketLine, "sku" | "category" | "tags">): boolean {
  if (match.skus.includes(line.sku)) return true;
  if (line.category != null && match.categories.includes(line.category)) return true;
  for (const tag of line.tags) if (match.tags.includes(tag)) return true;
  return false;
}

type Filters = Pick<EarningRule, "enabled" | "validFrom" | "validTo" | "channels" | "locations" | "tiers" | "segments">;

/**
 * Whether a rule is in force for this event: enabled, validFrom ≤ at < validTo (half-open, so
 * consecutive promotions never overlap), and each non-empty filter contains the event's value. A
 * filter that is set rejects an event that lacks the value (no channel, anonymous tier).
 *
 * A segment filter is settled per customer before evaluation (`forMemberships`), so one still present here was not:
 * it rejects, as a rule meant for some customers must never pay everyone.
 */
export function isApplicable(rule: Filters, ctx: RuleContext): boolean {
  if (!rule.enabled) return false;
  if (rule.validFrom !== undefined && ctx.at < Date.parse(rule.validFrom)) return false;
  if (rule.validTo !== undefined && ctx.at >= Date.parse(rule.validTo)) return false;
  if (rule.channels.length > 0 && (ctx.channel == null || !(rule.channels as readonly string[]).includes(ctx.channel)))
    return false;
  if (rule.locations.length > 0 && (ctx.locationId == null || !rule.locations.includes(ctx.locationId))) return false;
  if (rule.tiers.length > 0 && (ctx.tier == null || !rule.tiers.includes(ctx.tier))) return false;
  if (rule.segments?.length) return false;
  return true;
}

/** The segments the programme's rules filter on: the memberships worth loading, none for most programmes. */
export const segmentsFiltered = (programme: ProgrammeConfig): string[] => [
  ...new Set(programme.rules.flatMap((r) => r.segments ?? [])),
];

/**
 * The programme as one customer meets it: a segment-filtered rule loses its filter when the customer is a current
 * member of one of its segments, and is switched off otherwise. Memberships are the customer's, not the event's, and
 * are loaded by the caller (one query per batch), so they are settled here rather than carried in the `RuleContext`
 * of every rule. A programme without segment filters comes back as it is.
 */
export function forMemberships(programme: ProgrammeConfig, memberOf: ReadonlySet<string>): ProgrammeConfig {
  if (!programme.rules.some((r) => r.segments?.length)) return programme;
  const rules = programme.rules.map((rule): EarningRule => {
    if (!rule.segments?.length) return rule;
    const { segments, ...rest } = rule;
    return segments.some((s) => memberOf.has(s)) ? rest : { ...rule, enabled: false };
  });
  return { ...programme, rules };
}

/** Higher priority first; equal priorities keep list order (Array.prototype.sort is stable). */
export function byPriority<R extends { priority: number }>(rules: readonly R[]): R[] {
  return [...rules].sort((a, b) => b.priority - a.priority);
}

/**
 * For each line, the id of the first exclusion (in priority order) that matches it, or null.
 * Exclusions are applied before any earning rule, whatever their priority, and a stopProcessing
 * earning rule cannot switch them off: "alcohol never earns" must survive any promotion.
 */
export function exclusionsByLine(
  exclusions: readonly RuleOfType<"exclusion">[],
  lines: readonly BasketLine[],
): (string | null)[] {
  return lines.map((line) => exclusions.find((rule) => matchesLine(rule.match, line))?.id ?? null);
}
