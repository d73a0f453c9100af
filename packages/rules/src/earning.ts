import {
  type EarningRule,
  MAX_POINTS_PER_TRANSACTION,
  type ProgrammeConfig,
  type RuleOfType,
} from "@regulars/contracts";
import { matchesLine, paidAmount, paidUnits } from "./eligibility.ts";
import { combineFactors, type Factor, LocalCalendar, multiplierCovers, tierFactor } from "./multipliers.ts";
import { floorForgivingNoise } from "./rounding.ts";
import { type PurchaseRule, rateCovers, reachedSlab, type Selection, selectRules } from "./selection.ts";
import { tierOrEntry } from "./tiers.ts";
import { instantMs } from "./time.ts";
import type { CustomerState, EarningInput, EarningResult, LineExplanation, RuleExplanation } from "./types.ts";

/** Removes float noise (14.499999999999998) from explanations; totals are computed from raw values. */
const tidy = (x: number): number => (Math.abs(x) < 1e6 ? Math.round(x * 1e9) / 1e9 : x);

const floorPoints = (x: number): number => Math.max(0, floorForgivingNoise(x));

/**
 * Points a sale earns. Pure and deterministic (replaying a message gives the same result). Steps:
 * exclusions mark ineligible lines; `selectRules` decides which rules are in force (filters, minBasket,
 * priority, stopProcessing); base_rate and per_item give line points; multipliers scale line points; the line
 * total is floored once; slabs and per_visit add fixed points; caps cut last.
 * An anonymous sale (customer null) earns nothing and lists no rules.
 */
export function evaluateEarning(
  programme: ProgrammeConfig,
  input: EarningInput,
  customer: CustomerState | null,
  timezone: string,
): EarningResult {
  const amounts = input.lines.map(paidAmount);
  const lines: LineExplanation[] = amounts.map((amount, lineNo) => ({
    lineNo,
    amount,
    eligible: false,
    excludedBy: null,
    basePoints: 0,
    multiplier: 1,
    points: 0,
    rules: [],
  }));
  if (customer === null) return { points: 0, lines, rules: [], capped: null };

  const tier = tierOrEntry(programme.tiers, customer.tier);
  const at = instantMs(input.occurredAt);
  const calendar = new LocalCalendar(at, timezone, customer.dateOfBirth);
  const sel = selectRules(
    programme,
    { at, channel: input.channel, locationId: input.locationId, tier },
    input.lines,
    amounts,
    calendar,
  );

  const rules: RuleExplanation[] = [];
  for (const r of sel.exclusions) {
    const excluded: number[] = [];
    for (const l of lines) if (sel.excludedBy[l.lineNo] === r.id) excluded.push(l.lineNo);
    rules.push({
      ruleId: r.id,
      type: r.type,
      points: 0,
      lines: excluded,
      // A stopping exclusion zeroes lines it does not match; its detail is the only place that says why.
      detail: `excluded lines [${excluded.join(", ")}]${stops(r, sel)}`,
    });
  }
  for (const l of lines) {
    l.eligible = sel.eligible[l.lineNo] ?? false;
    l.excludedBy = sel.excludedBy[l.lineNo] ?? null;
    if (l.excludedBy !== null) l.rules.push(l.excludedBy);
  }

  const multipliers: Multiplier[] = [];
  let basketPoints = 0;
  for (const r of sel.rules) {
    const e: RuleExplanation = {
      ruleId: r.id,
      type: r.type,
      points: 0,
      lines: [],
      detail: describe(r, sel, input.lines),
    };
    rules.push(e);
    if (r.type === "base_rate" || r.type === "per_item") creditLines(r, e, input.lines, lines);
    else if (r.type === "multiplier")
      multipliers.push({ rule: r, factor: { id: r.id, factor: r.factor, stackable: r.stackable }, explanation: e });
    else {
      // Basket-level: fixed points on the eligible amount, never multiplied.
      e.points = r.type === "slabs" ? reachedSlab(r, sel.eligibleAmount)!.points : r.points;
      for (const l of lines) if (l.eligible) e.lines.push(l.lineNo);
      basketPoints += e.points;
    }
  }

  applyMultipliers(tierFactor(programme, tier), multipliers, sel.multiplierStops, input.lines, lines, rules);

  let linePoints = 0;
  for (const l of lines) linePoints += l.points;
  // Stackable multipliers can multiply without bound; the ceiling keeps every sum exact.
  const uncapped = Math.min(floorPoints(linePoints) + basketPoints, MAX_POINTS_PER_TRANSACTION);
  for (const e of rules) e.points = tidy(e.points);
  for (const l of lines) {
    l.basePoints = tidy(l.basePoints);
    l.points = tidy(l.points);
  }
  return { ...applyCaps(programme.caps, uncapped, customer.earnedToday), lines, rules };
}

function describe(r: PurchaseRule, sel: Selection, basket: EarningInput["lines"]): string {
  const minBasket = r.minBasket > 0 ? `; basket total ${sel.basketTotal} ≥ ${r.minBasket}` : "";
  return `${core(r, sel, basket)}${minBasket}${stops(r, sel)}`;
}

/**
 * Named only on the rule whose stop counted: the highest-priority one, first in list order on a tie. A
 * multiplier's stop counts line by line, so it names the lines where it did.
 */
function stops(r: EarningRule, sel: Selection): string {
  if (!r.stopProcessing) return "";
  if (r.type === "multiplier") {
    const stopped: number[] = [];
    for (const [i, stop] of sel.multiplierStops.entries()) if (stop === r) stopped.push(i);
    return stopped.length > 0
      ? `; stops multipliers below priority ${r.priority} on lines [${stopped.join(", ")}]`
      : "";
  }
  return sel.stoppedBy?.ruleId === r.id ? `; stops rules below priority ${sel.stoppedBy.priority}` : "";
}

function core(r: PurchaseRule, sel: Selection, basket: EarningInput["lines"]): string {
  switch (r.type) {
    case "base_rate": {
      if (r.match === undefined) return `${r.pointsPerUnit} pt per ${r.unitMinor} on ${sel.eligibleAmount} paid`;
      let covered = 0;
      for (const [i, l] of basket.entries()) if (sel.eligible[i] && rateCovers(r, l)) covered += paidAmount(l);
      return `${r.pointsPerUnit} pt per ${r.unitMinor} on ${covered} paid on matching lines`;
    }
    case "per_item": {
      let units = 0;
      for (const [i, l] of basket.entries()) if (sel.eligible[i] && matchesLine(r.match, l)) units += paidUnits(l);
      return `${r.pointsPerItem} pt per item on ${units} paid items`;
    }
    case "multiplier":
      return `${r.factor}×${r.stackable ? " stackable" : ""}${r.products ? " on matching lines" : ""}`;
    case "slabs":
      return `basket ${sel.eligibleAmount} reached slab ≥${reachedSlab(r, sel.eligibleAmount)!.minAmount}`;
    case "per_visit":
      return `per visit, basket ${sel.eligibleAmount} ≥ ${r.minAmount}`;
  }
}

/**
 * Line-attributed points (before multipliers): base_rate on the eligible lines it covers, per_item on the units paid
 * toward on matching ones.
 */
function creditLines(
  r: RuleOfType<"base_rate"> | RuleOfType<"per_item">,
  e: RuleExplanation,
  basket: EarningInput["lines"],
  lines: LineExplanation[],
): void {
  for (const l of lines) {
    if (!l.eligible) continue;
    const b = basket[l.lineNo]!;
    let p: number;
    if (r.type === "base_rate") {
      if (!rateCovers(r, b)) continue;
      p = (l.amount * r.pointsPerUnit) / r.unitMinor;
    } else if (matchesLine(r.match, b)) p = r.pointsPerItem * paidUnits(b);
    else continue;
    l.basePoints += p;
    l.rules.push(e.ruleId);
    e.points += p;
    e.lines.push(l.lineNo);
  }
}

interface Multiplier {
  rule: RuleOfType<"multiplier">;
  factor: Factor;
  explanation: RuleExplanation;
}

/**
 * Per line: highest non-stackable factor (incl. the tier's) × stackable ones, on base points, leaving out the
 * multipliers a stopping multiplier covering the line cut.
 */
function applyMultipliers(
  tier: Factor | null,
  multipliers: readonly Multiplier[],
  stops: Selection["multiplierStops"],
  basket: EarningInput["lines"],
  lines: LineExplanation[],
  rules: RuleExplanation[],
) {
  const explanations = new Map<Factor, RuleExplanation>(multipliers.map((m) => [m.factor, m.explanation]));
  const tierExplanation: RuleExplanation | undefined =
    tier === null
      ? undefined
      : {
          ruleId: tier.id,
          type: "tier_multiplier",
          points: 0,
          lines: [],
          detail: `tier earn multiplier ${tier.factor}×`,
        };
  if (tier !== null && tierExplanation) explanations.set(tier, tierExplanation);
  for (const l of lines) {
    l.points = l.basePoints;
    if (!l.eligible || l.basePoints === 0) continue;
    const applicable: Factor[] = [];
    const stop = stops[l.lineNo] ?? null;
    for (const m of multipliers)
      if (multiplierCovers(m.rule, basket[l.lineNo]!) && (stop === null || m.rule.priority >= stop.priority))
        applicable.push(m.factor);
    if (tier !== null) applicable.push(tier); // last: a rule multiplier of equal factor wins the attribution
    if (applicable.length === 0) continue;
    const combined = combineFactors(applicable);
    l.multiplier = combined.multiplier;
    l.points = l.basePoints * combined.multiplier;
    for (const { factor, share } of combined.counted) {
      const e = explanations.get(factor)!;
      e.points += l.basePoints * share;
      e.lines.push(l.lineNo);
      l.rules.push(factor.id);
    }
  }
  // The tier multiplier is listed only where it counted; it is not a programme rule.
  if (tierExplanation !== undefined && tierExplanation.lines.length > 0) rules.push(tierExplanation);
}

function applyCaps(
  caps: ProgrammeConfig["caps"],
  uncapped: number,
  earnedToday: number,
): Pick<EarningResult, "points" | "capped"> {
  let points = uncapped;
  let capped: EarningResult["capped"] = null;
  if (caps.perTransaction !== undefined && points > caps.perTransaction) {
    points = caps.perTransaction;
    capped = { by: "per_transaction", uncapped };
  }
  if (caps.perDay !== undefined) {
    // Negative earnedToday (refunds today) must not let one sale exceed the daily cap.
    const remaining = Math.max(0, caps.perDay - Math.max(0, earnedToday));
    if (points > remaining) {
      points = remaining;
      capped = { by: "per_day", uncapped };
    }
  }
  return { points, capped };
}
