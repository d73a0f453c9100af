import {
  type EarningRule,
  ProgrammeConfig,
  ProgrammeConfigInput,
  type RedemptionConfig,
  type Reward,
  type StampCard,
  type TierLevel,
  type TierProgramme,
} from "@regulars/contracts";
import { DomainError, type FieldIssue, issuesFromZod } from "@regulars/errors";

/**
 * Pure edits of a programme document. Each returns a new config and leaves its argument untouched;
 * `validateProgramme` then judges the whole result, because some mistakes (a rule filtering on a tier
 * the programme does not have) only show once the edit meets the rest of the document.
 */

export type ProgrammeEdit = (config: ProgrammeConfig) => ProgrammeConfig;
export type Caps = ProgrammeConfig["caps"];

function upsertById<T extends { id: string }>(items: readonly T[], item: T): T[] {
  const at = items.findIndex((i) => i.id === item.id);
  return at === -1 ? [...items, item] : items.map((i, n) => (n === at ? item : i));
}

function disableById<T extends { id: string; enabled: boolean }>(items: readonly T[], id: string, what: string): T[] {
  if (!items.some((i) => i.id === id)) throw new DomainError("not_found", `the programme has no ${what} '${id}'`);
  return items.map((i) => (i.id === id ? { ...i, enabled: false } : i));
}

/** Replaces the rule with the same id where it stands, or appends it; order never decides, priority does. */
export const upsertRule = (config: ProgrammeConfig, rule: EarningRule): ProgrammeConfig => ({
  ...config,
  rules: upsertById(config.rules, rule),
});

/** Disabled rules stay in the document, so the history of what a rule was remains readable. */
export const disableRule = (config: ProgrammeConfig, id: string): ProgrammeConfig => ({
  ...config,
  rules: disableById(config.rules, id, "rule"),
});

export function setTiers(config: ProgrammeConfig, tiers: TierProgramme | null): ProgrammeConfig {
  const { tiers: _previous, ...rest } = config;
  return tiers ? { ...rest, tiers } : rest;
}

export const setExpiry = (config: ProgrammeConfig, expiry: ProgrammeConfig["expiry"]): ProgrammeConfig => ({
  ...config,
  expiry,
});

export const upsertStampCard = (config: ProgrammeConfig, card: StampCard): ProgrammeConfig => ({
  ...config,
  stampCards: upsertById(config.stampCards, card),
});

export const disableStampCard = (config: ProgrammeConfig, id: string): ProgrammeConfig => ({
  ...config,
  stampCards: disableById(config.stampCards, id, "stamp card"),
});

/** Ascending and without duplicates: a threshold is announced once per crossing, whatever order it was typed in. */
export const setMilestones = (config: ProgrammeConfig, milestones: readonly number[]): ProgrammeConfig => ({
  ...config,
  milestones: [...new Set(milestones)].sort((a, b) => a - b),
});

export const setCaps = (config: ProgrammeConfig, caps: Caps): ProgrammeConfig => ({ ...config, caps: { ...caps } });

export const setPendingDays = (config: ProgrammeConfig, days: number): ProgrammeConfig => ({
  ...config,
  pendingDays: days,
});

/** Points' worth at checkout; null stops points being spent. */
export const setRedemption = (config: ProgrammeConfig, redemption: RedemptionConfig | null): ProgrammeConfig => {
  const { redemption: _, ...rest } = config;
  return redemption ? { ...rest, redemption } : rest;
};

export const upsertReward = (config: ProgrammeConfig, reward: Reward): ProgrammeConfig => ({
  ...config,
  rewards: upsertById(config.rewards, reward),
});

export const disableReward = (config: ProgrammeConfig, id: string): ProgrammeConfig => ({
  ...config,
  rewards: disableById(config.rewards, id, "reward"),
});

/**
 * The schema first, then what the schema cannot see: references between parts of the document. A key the schema does
 * not know is refused by name: the schema would drop it and fill the defaults, so a document with `"rule"` for
 * `"rules"` (or wrapped in what `programme show` prints) would replace the programme with one that earns nothing.
 * Below the top level too (`ProgrammeConfigInput` is strict at every depth): a dropped `weekday` or `perDAY` would put
 * a narrow promotion on every sale or a version live without its cap.
 */
export function validateProgramme(candidate: unknown): ProgrammeConfig {
  if (candidate && typeof candidate === "object" && !Array.isArray(candidate)) {
    const unknown = Object.keys(candidate).filter((k) => !Object.hasOwn(ProgrammeConfig.shape, k));
    if (unknown.length)
      throw invalid(
        unknown.map((path) => ({
          path,
          message: `is not part of a programme (${Object.keys(ProgrammeConfig.shape).join(", ")})`,
        })),
      );
  }
  const parsed = ProgrammeConfigInput.safeParse(candidate);
  if (!parsed.success) throw invalid(issuesFromZod(parsed.error));
  const issues = crossReferenceIssues(parsed.data);
  if (issues.length > 0) throw invalid(issues);
  return parsed.data;
}

/**
 * The tier levels `before` has and `after` no longer has (by id: a level whose id changed is one removed). None when
 * `after` has no tiers at all: switching tiers off is a choice, and every customer holds the entry level from their
 * first sale. Held tiers then simply don't apply; tiers brought back without one are settled by the tier job
 * (`applyTierDowngrades`).
 */
export function removedTierLevels(before: ProgrammeConfig, after: ProgrammeConfig): TierLevel[] {
  if (!after.tiers) return [];
  const kept = new Set(after.tiers.levels.map((l) => l.id));
  return (before.tiers?.levels ?? []).filter((l) => !kept.has(l.id));
}

function invalid(issues: FieldIssue[]): DomainError {
  const first = issues[0];
  return new DomainError(
    "invalid_request",
    `the programme would be invalid: ${first ? `${first.path}: ${first.message}` : "unknown reason"}`,
    issues,
  );
}

function crossReferenceIssues(config: ProgrammeConfig): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const tierIds = new Set(config.tiers?.levels.map((l) => l.id) ?? []);
  const seenRules = new Set<string>();
  config.rules.forEach((rule, i) => {
    if (seenRules.has(rule.id))
      issues.push({ path: `rules.${i}.id`, message: `another rule already has the id '${rule.id}'` });
    seenRules.add(rule.id);
    rule.tiers.forEach((tier, j) => {
      if (!tierIds.has(tier))
        issues.push({ path: `rules.${i}.tiers.${j}`, message: `the programme has no tier '${tier}'` });
    });
    if (rule.validFrom && rule.validTo && Date.parse(rule.validTo) <= Date.parse(rule.validFrom)) {
      issues.push({ path: `rules.${i}.validTo`, message: "must be later than validFrom" });
    }
  });
  const seenCards = new Set<string>();
  config.stampCards.forEach((card, i) => {
    if (seenCards.has(card.id))
      issues.push({ path: `stampCards.${i}.id`, message: `another stamp card already has the id '${card.id}'` });
    seenCards.add(card.id);
  });
  return issues;
}

/** Collections edited item by item; the audit log shows only the items that changed. */
const keyedCollections = new Set(["rules", "stampCards"]);

/**
 * The parts of the document an edit changed, for the audit log: whole sections, except rules and
 * stamp cards, which are narrowed to the items (by id) that were added or changed.
 */
export function changedParts(
  before: ProgrammeConfig,
  after: ProgrammeConfig,
): { before: Record<string, unknown>; after: Record<string, unknown> } {
  const was: Record<string, unknown> = {};
  const now: Record<string, unknown> = {};
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]) as Set<keyof ProgrammeConfig>;
  for (const key of keys) {
    const b = before[key];
    const a = after[key];
    if (sameJson(b, a)) continue;
    if (keyedCollections.has(key)) {
      const byId = (items: unknown) => new Map((items as { id: string }[]).map((i) => [i.id, i]));
      const oldItems = byId(b ?? []);
      const newItems = byId(a ?? []);
      const ids = [...new Set([...oldItems.keys(), ...newItems.keys()])].filter(
        (id) => !sameJson(oldItems.get(id), newItems.get(id)),
      );
      was[key] = ids.flatMap((id) => (oldItems.has(id) ? [oldItems.get(id)] : []));
      now[key] = ids.flatMap((id) => (newItems.has(id) ? [newItems.get(id)] : []));
    } else {
      was[key] = b ?? null;
      now[key] = a ?? null;
    }
  }
  return { before: was, after: now };
}

/** Equality of JSON values regardless of key order (jsonb does not keep the order it was given). */
export function sameJson(a: unknown, b: unknown): boolean {
  return canonical(a) === canonical(b);
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}
