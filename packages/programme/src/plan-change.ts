import { DomainError } from "@regulars/errors";
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
): PlannedVersion<V>[] {
  const effectiveFrom = timing.effectiveFrom ?? now;
  if (effectiveFrom.getTime() < now.getTime() - PAST_TOLERANCE_MS) {
    throw invalidEffectiveFrom("must not be in the past: transactions already evaluated keep the version they had");
  }
  const latest = versions.reduce<V | null>((a, v) => (!a || v.version > a.version ? v : a), null);
  if (!timing.alsoScheduled) {
    if (latest && effectiveFrom < latest.effectiveFrom) {
      const from = latest.effectiveFrom.toISOString();
      throw invalidEffectiveFrom(
        `must not be earlier than ${from}: version ${latest.version} is scheduled to take effect then, and a change ` +
          "taking effect before it would not be part of it. Make the change to the scheduled version (from that time), " +
          "or to the version in force and every scheduled one alike (alsoScheduled)",
      );
    }
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

function invalidEffectiveFrom(message: string): DomainError {
  return new DomainError("invalid_request", `effectiveFrom ${message}`, [{ path: "effectiveFrom", message }]);
}
