import type { ProgrammeConfig, RuleOfType } from "@regulars/contracts";
import { matchesLine } from "./eligibility.ts";
import { isBirthdayOn, type WallClock, wallClock, weekdayOfDate } from "./time.ts";
import type { BasketLine } from "./types.ts";

type MultiplierRule = RuleOfType<"multiplier">;

/** Tenant-local calendar facts of the transaction, computed only if a rule asks (Intl is the slow part). */
export interface Calendar {
  weekday(): number;
  birthday(): boolean;
}

export class LocalCalendar implements Calendar {
  readonly #atMs: number;
  readonly #timezone: string;
  readonly #dateOfBirth: string | null;
  #wall: WallClock | undefined;

  constructor(atMs: number, timezone: string, dateOfBirth: string | null) {
    this.#atMs = atMs;
    this.#timezone = timezone;
    this.#dateOfBirth = dateOfBirth;
  }

  #local(): WallClock {
    this.#wall ??= wallClock(this.#atMs, this.#timezone);
    return this.#wall;
  }

  weekday(): number {
    return weekdayOfDate(this.#local());
  }

  birthday(): boolean {
    return this.#dateOfBirth !== null && isBirthdayOn(this.#dateOfBirth, this.#local());
  }
}

/** Weekday and birthday conditions; all given conditions must hold. */
export function multiplierConditionsHold(rule: MultiplierRule, calendar: Calendar): boolean {
  if (rule.weekdays.length > 0 && !rule.weekdays.includes(calendar.weekday())) return false;
  if (rule.birthday && !calendar.birthday()) return false;
  return true;
}

/** Without `products` a multiplier covers every eligible line. */
export const multiplierCovers = (rule: MultiplierRule, line: BasketLine): boolean =>
  rule.products === undefined || matchesLine(rule.products, line);

export interface Factor {
  id: string;
  factor: number;
  stackable: boolean;
}

/** The customer's tier earnMultiplier, competing as a non-stackable multiplier named `tier:<id>`. */
export function tierFactor(programme: ProgrammeConfig, tier: string | null): Factor | null {
  if (tier === null || programme.tiers === undefined) return null;
  const factor = programme.tiers.levels.find((l) => l.id === tier)?.benefits.earnMultiplier;
  return factor === undefined ? null : { id: `tier:${tier}`, factor, stackable: false };
}

export interface Combined {
  multiplier: number;
  /** Per counted factor, the extra points it added as a fraction of the line's base points. */
  counted: { factor: Factor; share: number }[];
}

/**
 * Highest non-stackable factor (1 only if there is none, so a lone 0.5× does reduce) times every
 * stackable factor. `factors` come in priority order; on equal factors the first wins. Shares are
 * attributed winner first, then stackables in order, so they add up to multiplier − 1 and the rule
 * explanations sum to the line points.
 */
export function combineFactors(factors: readonly Factor[]): Combined {
  let winner: Factor | null = null;
  for (const f of factors) if (!f.stackable && (winner === null || f.factor > winner.factor)) winner = f;
  const counted: Combined["counted"] = [];
  let running = 1;
  if (winner !== null) {
    counted.push({ factor: winner, share: winner.factor - 1 });
    running = winner.factor;
  }
  for (const f of factors) {
    if (!f.stackable) continue;
    counted.push({ factor: f, share: running * (f.factor - 1) });
    running *= f.factor;
  }
  return { multiplier: running, counted };
}
