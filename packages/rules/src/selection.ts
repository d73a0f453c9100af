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
  /** The highest-priority stopping multiplier that applied, if any: it cuts only lower-priority multipliers. */
  multipliersStoppedBy: Stop | null;
}

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
 * Whether a rule "applies" to this basket, i.e. would give points or an effect, which is what lets a
 * stopProcessing rule cut off lower priorities. Basket-level rules need some paid, eligible amount: a
 * basket of only excluded or reward-paid lines is not a qualifying purchase.
 */
function applies(
  rule: PurchaseRule,
  lines: readonly BasketLine[],
  eligible: readonly boolean[],
  eligibleAmount: number,
  calendar: Calendar,
): boolean {
  switch (rule.type) {
    case "base_rate":
      return rule.match === undefined ? eligibleAmount > 0 : lines.some((l, i) => eligible[i] && rateCovers(rule, l));
    case "per_item":
      return lines.some((l, i) => eligible[i] && matchesLine(rule.match, l));
    case "multiplier":
      return multiplierConditionsHold(rule, calendar) && lines.some((l, i) => eligible[i] && multiplierCovers(rule, l));
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
 * A stopping multiplier removes only lower-priority multipliers: "double points, not stacked with lower
 * promotions" must still have the base rate to double. Exclusions always apply first; a matching exclusion
 * with stopProcessing also stops lower-priority earning.
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

  let multipliersStoppedBy: Stop | null = null;
  const rules: PurchaseRule[] = [];
  for (const r of inForce) {
    if (r.type === "exclusion" || r.type === "action") continue;
    if (stoppedBy !== null && r.priority < stoppedBy.priority) break; // sorted: everything after is lower too
    const multiplier = r.type === "multiplier";
    if (multiplier && multipliersStoppedBy !== null && r.priority < multipliersStoppedBy.priority) continue;
    if (!applies(r, lines, eligible, eligibleAmount, calendar)) continue;
    rules.push(r);
    if (!r.stopProcessing) continue;
    if (multiplier) multipliersStoppedBy = higher(r, multipliersStoppedBy);
    else stoppedBy = higher(r, stoppedBy);
  }
  return { exclusions, excludedBy, eligible, eligibleAmount, basketTotal, rules, stoppedBy, multipliersStoppedBy };
}
