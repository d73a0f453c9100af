import type { ProgrammeConfig, RuleOfType } from "@regulars/contracts";
import { byPriority, isApplicable } from "./eligibility.ts";
import { tierOrEntry } from "./tiers.ts";
import { instantMs } from "./time.ts";
import type { CustomerState } from "./types.ts";

export interface ActionEvent {
  type: string;
  occurredAt: string;
  channel?: string | null;
  locationId?: string | null;
}

export interface ActionHistory {
  /** Action rule ids already paid to this customer, ever. */
  earnedOnceBy: Set<string>;
  /** Action rule ids paid to this customer today (tenant local day). */
  earnedTodayBy: Set<string>;
}

export interface ActionAward {
  ruleId: string;
  points: number;
  limit: "once" | "per_day" | "per_event";
}

/**
 * Points for a non-purchase event (feedback submitted, profile completed). Action rules compete only
 * with each other: in priority order, a rule pays unless its limit was already used, and a paying rule
 * with stopProcessing stops action rules of lower priority ("first feedback 50, later ones 5").
 * `per_event` pays every time: telling distinct events from redeliveries is the caller's idempotency
 * key. Caps apply to purchase earning only, so actions are not capped here.
 */
export function evaluateAction(
  programme: ProgrammeConfig,
  event: ActionEvent,
  customer: CustomerState,
  history: ActionHistory,
  _timezone: string, // the "day" of per_day is already resolved by the caller into earnedTodayBy
): ActionAward[] {
  const ctx = {
    at: instantMs(event.occurredAt),
    channel: event.channel,
    locationId: event.locationId,
    tier: tierOrEntry(programme.tiers, customer.tier),
  };
  const candidates = byPriority(
    programme.rules.filter(
      (r): r is RuleOfType<"action"> => r.type === "action" && r.event === event.type && isApplicable(r, ctx),
    ),
  );
  const awards: ActionAward[] = [];
  let stopBelow = Number.NEGATIVE_INFINITY;
  for (const rule of candidates) {
    if (rule.priority < stopBelow) break;
    if (rule.limit === "once" && history.earnedOnceBy.has(rule.id)) continue;
    if (rule.limit === "per_day" && history.earnedTodayBy.has(rule.id)) continue;
    awards.push({ ruleId: rule.id, points: rule.points, limit: rule.limit });
    if (rule.stopProcessing) stopBelow = Math.max(stopBelow, rule.priority);
  }
  return awards;
}
