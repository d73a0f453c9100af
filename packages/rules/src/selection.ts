import type { EarningRule, ProgrammeConfig, RuleOfType } from "@regulars/contracts";
import { byPriority, exclusionsByLine, isApplicable, matchesLine } from "./eligibility.ts";
import { type Calendar, multiplierConditionsHold, multiplierCovers } from "./multipliers.ts";
import type { BasketLine, RuleContext } from "./types.ts";

export type PurchaseRule = Exclude<EarningRule, { type: "exclusion" } | { type: "action" }>;

export interface Selection {
  /** Applicable exclusions that matched at least one line, in priority order. */
  exclusions: RuleOfType<"exclusion">[];
  excludedBy: (string | null)[];
  eligible: boolean[];
  eligibleAmount: number;
  /** What the customer paid for the whole basket (excluded lines included): what `minBasket` compares. */
  basketTotal: number;
  /** Purchase rules that apply, in priority order, after stopProcessing cut the list. */
  rules: PurchaseRule[];
  /** The highest-priority stopping rule that applied, if any, other than a multiplier: it cuts every lower rule. */
  stoppedBy: Stop | null;
  /**
   * Per line, the stopping multiplier that cuts lower-priority multipliers on it (the highest-priority one
   * covering the eligible line, first in list order on a tie), or null. Multipliers apply line by line, so the
   * stop does too: a line the stopping multiplier does not cover keeps every multiplier as if it were absent.
   */
  multiplierStops: (MultiplierRule | null)[];
}

type MultiplierRule = RuleOfType<"multiplier">;

export interface Stop {
  ruleId: string;
  priority: number;
}

const higher = (r: { id: string; priority: number }, current: Stop | null): Stop | null =>
  current === null || r.priority > current.priority ? { ruleId: r.id, priority: r.priority } : current;

/** Without `match` a base rate counts every eligible line; with one, only the matching lines. */
export const rateCovers = (rule: RuleOfType<"base_rate">, line: BasketLine): boolean =>
  rule.match === undefined || matchesLine(rule.match, line);

/** The highest slab reached (largest minAmount ≤ amount), if any. */
export function reachedSlab(rule: RuleOfType<"slabs">, amount: number): { minAmount: number; points: number } | null {
  let best: { minAmount: number; points: number } | null = null;
  for (const s of rule.slabs) if (s.minAmount <= amount && (best === null || s.minAmount > best.minAmount)) best = s;
  return best;
}

/**
 * Whether a rule other than a multiplier (see `multiplierApplies`) "applies" to this basket, i.e. would give
 * points or an effect, which is what lets a stopProcessing rule cut off lower priorities. Basket-level rules
 * need some paid, eligible amount: a basket of only excluded or reward-paid lines is not a qualifying purchase.
 */
function applies(
  rule: Exclude<PurchaseRule, MultiplierRule>,
  lines: readonly BasketLine[],
  eligible: readonly boolean[],
  eligibleAmount: number,
): boolean {
  switch (rule.type) {
    case "base_rate":
      return rule.match === undefined ? eligibleAmount > 0 : lines.some((l, i) => eligible[i] && rateCovers(rule, l));
    case "per_item":
      return lines.some((l, i) => eligible[i] && matchesLine(rule.match, l));
    case "slabs":
      return eligibleAmount > 0 && (reachedSlab(rule, eligibleAmount)?.points ?? 0) > 0;
    case "per_visit":
      return eligibleAmount > 0 && eligibleAmount >= rule.minAmount;
  }
}

/**
 * Decides which rules are in force; computing points from them is order-independent afterwards.
 * A rule whose `minBasket` the basket total does not reach is not in force, like one out of its
 * validity window. A rule with stopProcessing that applies removes every rule of strictly lower
 * priority (equal priorities still run, so the outcome never depends on list order within a priority).
 * A stopping multiplier removes only lower-priority multipliers, and only on the lines it covers: "double
 * points, not stacked with lower promotions" must still have the base rate to double, and "3× on new dishes,
 * not stacked" must not take Tuesday's 2× off a burger it does not triple. Exclusions always apply first; a
 * matching exclusion with stopProcessing also stops lower-priority earning.
 */
export function selectRules(
  programme: ProgrammeConfig,
  ctx: RuleContext,
  lines: readonly BasketLine[],
  amounts: readonly number[],
  calendar: Calendar,
): Selection {
  const basketTotal = amounts.reduce((sum, a) => sum + a, 0);
  const inForce = byPriority(
    programme.rules.filter((r) => r.type !== "action" && basketTotal >= r.minBasket && isApplicable(r, ctx)),
  );
  const allExclusions = inForce.filter((r): r is RuleOfType<"exclusion"> => r.type === "exclusion");
  const excludedBy = exclusionsByLine(allExclusions, lines);
  const exclusions = allExclusions.filter((r) => lines.some((l) => matchesLine(r.match, l)));
  const eligible = amounts.map((a, i) => a > 0 && excludedBy[i] === null);
  const eligibleAmount = amounts.reduce((sum, a, i) => (eligible[i] ? sum + a : sum), 0);

  let stoppedBy: Stop | null = null;
  for (const r of exclusions) if (r.stopProcessing) stoppedBy = higher(r, stoppedBy);

  const multiplierStops: (MultiplierRule | null)[] = lines.map(() => null);
  const rules: PurchaseRule[] = [];
  for (const r of inForce) {
    if (r.type === "exclusion" || r.type === "action") continue;
    if (stoppedBy !== null && r.priority < stoppedBy.priority) break; // sorted: everything after is lower too
    if (r.type === "multiplier") {
      if (multiplierApplies(r, lines, eligible, multiplierStops, calendar)) rules.push(r);
      continue;
    }
    if (!applies(r, lines, eligible, eligibleAmount)) continue;
    rules.push(r);
    if (r.stopProcessing) stoppedBy = higher(r, stoppedBy);
  }
  return { exclusions, excludedBy, eligible, eligibleAmount, basketTotal, rules, stoppedBy, multiplierStops };
}

/**
 * Whether a multiplier applies on some eligible line it covers that no higher stopping multiplier took; a
 * stopping one claims those lines in `stops`. Called in priority order, so a stop already set on a line is of
 * higher or equal priority, and equal priorities still apply.
 */
function multiplierApplies(
  rule: MultiplierRule,
  lines: readonly BasketLine[],
  eligible: readonly boolean[],
  stops: (MultiplierRule | null)[],
  calendar: Calendar,
): boolean {
  if (!multiplierConditionsHold(rule, calendar)) return false;
  let applied = false;
  for (const [i, l] of lines.entries()) {
    if (!eligible[i] || !multiplierCovers(rule, l)) continue;
    const stop = stops[i] ?? null;
    if (stop !== null && rule.priority < stop.priority) continue;
    applied = true;
    if (rule.stopProcessing && stop === null) stops[i] = rule;
  }
  return applied;
}
