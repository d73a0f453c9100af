import type { ProgrammeConfig } from "@regulars/contracts";
import { DomainError } from "@regulars/errors";
import { sameJson } from "./edits.ts";
import { tenantLocalTime } from "./effective-from.ts";
import { versionInForce } from "./in-force.ts";

/** Clock skew allowed between the admin's "now" and ours before a date counts as the past. */
export const PAST_TOLERANCE_MS = 60_000;

export interface DatedVersion {
  version: number;
  effectiveFrom: Date;
}

/** When a change takes effect, and whether versions already scheduled after that get it too. */
export interface ChangeTiming {
  /** Defaults to now. */
  effectiveFrom?: Date | undefined;
  /**
   * Also make the change to every version scheduled after `effectiveFrom`. Without it a change must not
   * precede the latest version: it would be made to that version's document yet take effect before it.
   */
  alsoScheduled?: boolean | undefined;
}

/** One version to write: the edit applied to `base` (null: the default programme), in force from `effectiveFrom`. */
export interface PlannedVersion<V> {
  base: V | null;
  effectiveFrom: Date;
}

/** An instant as the tenant's wall clock reads it, then exactly (to the millisecond) for an API client to send. */
const onTenantClock = (at: Date, timezone: string) => `${tenantLocalTime(at, timezone)} (${at.toISOString()})`;

/**
 * Which versions a change writes, in the order to number them. A version is never rewritten: a change to
 * what is in force now while a later version is scheduled writes the changed current document from now,
 * and the changed scheduled document at the scheduled time; the later number wins the tie at that instant
 * (`versionInForce`), so the unchanged scheduled version never comes into force.
 */
export function planChange<V extends DatedVersion>(
  versions: readonly V[],
  now: Date,
  timing: ChangeTiming,
  /** The tenant's time zone, in which refusals name a scheduled version's time. */
  timezone = "UTC",
): PlannedVersion<V>[] {
  const effectiveFrom = timing.effectiveFrom ?? now;
  if (effectiveFrom.getTime() < now.getTime() - PAST_TOLERANCE_MS) {
    throw invalidEffectiveFrom("must not be in the past: transactions already evaluated keep the version they had");
  }
  const latest = versions.reduce<V | null>((a, v) => (!a || v.version > a.version ? v : a), null);
  if (!timing.alsoScheduled) {
    if (latest && effectiveFrom < latest.effectiveFrom) throw new ScheduledAhead(latest, timezone);
    return [{ base: latest, effectiveFrom }];
  }
  const laterInstants = [...new Set(versions.map((v) => v.effectiveFrom.getTime()))]
    .filter((t) => t > effectiveFrom.getTime())
    .sort((a, b) => a - b);
  return [effectiveFrom, ...laterInstants.map((t) => new Date(t))].map((from) => ({
    base: versionInForce(versions, from),
    effectiveFrom: from,
  }));
}

/**
 * A change without `alsoScheduled` taking effect before the latest version: it would be made to that version's
 * document yet take effect before it. Carries the version so each client can say what its user can do instead.
 */
export class ScheduledAhead extends DomainError {
  readonly scheduled: DatedVersion;
  constructor(scheduled: DatedVersion, timezone = "UTC") {
    const from = onTenantClock(scheduled.effectiveFrom, timezone);
    const why =
      `must not be earlier than ${from}: version ${scheduled.version} is scheduled to take effect then, and a ` +
      "change taking effect before it would not be part of it";
    super(
      "invalid_request",
      `effectiveFrom ${why}. Make the change to the scheduled version (from that time), or to the version in ` +
        "force and every scheduled one alike (alsoScheduled)",
      [{ path: "effectiveFrom", message: why }],
    );
    this.scheduled = { version: scheduled.version, effectiveFrom: scheduled.effectiveFrom };
  }
}

/** One planned version with the edit applied: `version` is its base's number (0: the default programme). */
export interface AppliedEdit {
  version: number;
  effectiveFrom: Date;
  before: ProgrammeConfig;
  after: ProgrammeConfig;
}

/** Collections whose entries are edited one by one, so a version may differ in one entry and agree in the rest. */
const entryCollections = { rules: "rule", rewards: "reward", stampCards: "stamp card" } as const;

/**
 * Refuses a change made with `alsoScheduled` that would replace what a scheduled version has of its own. Edits
 * replace a whole section (or the entry with one id) with what the form sent, which was read from the version in
 * force; made to a scheduled version whose part differs, it would silently undo that version's changes there.
 * `applied[0]` is the version in force when the change takes effect, the rest are scheduled after it.
 */
export function refuseOverwritingScheduled(applied: readonly AppliedEdit[], timezone = "UTC"): void {
  const [first, ...scheduled] = applied;
  if (!first) return;
  for (const later of scheduled) {
    const touched = new Set([...touchedParts(first), ...touchedParts(later)]);
    const differing = [...touched].find((part) => !sameJson(partOf(first.before, part), partOf(later.before, part)));
    if (differing) throw overwritesScheduled(differing, first, later, timezone);
  }
}

/** A section's key, or `collection/id` for one entry of a collection edited entry by entry. */
type Part = string;

function touchedParts({ before, after }: AppliedEdit): Part[] {
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])] as (keyof ProgrammeConfig)[];
  return keys.flatMap((key) => {
    if (!(key in entryCollections)) return sameJson(before[key], after[key]) ? [] : [key];
    const ids = new Set([...entriesOf(before, key), ...entriesOf(after, key)].map((e) => e.id));
    return [...ids].map((id) => `${key}/${id}`).filter((part) => !sameJson(partOf(before, part), partOf(after, part)));
  });
}

function entriesOf(config: ProgrammeConfig, key: keyof ProgrammeConfig): { id: string }[] {
  return (config[key] as { id: string }[] | undefined) ?? [];
}

function partOf(config: ProgrammeConfig, part: Part): unknown {
  const [key, id] = part.split(/\/(.*)/s) as [keyof ProgrammeConfig, string | undefined];
  if (id === undefined) return config[key];
  return entriesOf(config, key).find((e) => e.id === id);
}

function describePart(part: Part): string {
  const [key, id] = part.split(/\/(.*)/s) as [string, string | undefined];
  if (id !== undefined) return `${entryCollections[key as keyof typeof entryCollections]} '${id}'`;
  return key === "pendingDays" ? "pending days" : key === "stampCards" ? "stamp cards" : key;
}

function overwritesScheduled(part: Part, inForce: AppliedEdit, scheduled: AppliedEdit, timezone: string): DomainError {
  const what = describePart(part);
  const message =
    `version ${scheduled.version}, scheduled from ${onTenantClock(scheduled.effectiveFrom, timezone)}, has ${what} of its own, ` +
    `different from version ${inForce.version}'s; making this change to both would replace them with this one. ` +
    "Make the change to the scheduled version only, and to the version in force separately if it needs it";
  return new DomainError("conflict", message, [{ path: "alsoScheduled", message }]);
}

function invalidEffectiveFrom(message: string): DomainError {
  return new DomainError("invalid_request", `effectiveFrom ${message}`, [{ path: "effectiveFrom", message }]);
}
