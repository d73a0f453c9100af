import { TierProgramme } from "@regulars/contracts";

/** A stored programme version as the tier pass reads it: when it takes effect and its tiers as stored. */
export interface VersionTiers {
  version: number;
  effectiveFrom: Date;
  /** The stored `config.tiers`: null without tiers; anything unreadable counts as different from every other. */
  tiers: unknown;
}

/**
 * What decides which level a value reaches: the basis, the window, and the levels' ids and thresholds in the order
 * `tierFor` ranks them (by threshold, equal thresholds in list order). Names and benefits decide nothing of it.
 */
export function qualificationOf(tiers: TierProgramme): string {
  const ranked = [...tiers.levels].sort((a, b) => a.threshold - b.threshold);
  return JSON.stringify([tiers.basis, tiers.window, ranked.map((l) => [l.id, l.threshold])]);
}

const storedQualification = (tiers: unknown): string | null => {
  const parsed = TierProgramme.safeParse(tiers);
  return parsed.success ? qualificationOf(parsed.data) : null;
};

/** The order versions come into force (`versionInForce`): by `effectiveFrom`, the later version on a tie. */
const byComingIntoForce = (a: VersionTiers, b: VersionTiers) =>
  a.effectiveFrom.getTime() - b.effectiveFrom.getTime() || a.version - b.version;

/**
 * Whether the tier pass for `current` would find nobody to raise without looking: the last version a pass handled
 * before it, and every version that can have been in force since, qualify members exactly as `current` does. That
 * pass left nobody below the level their value reached, and a sale judged on those tiers raises its own customer. The
 * version in force only moves forward in `byComingIntoForce` order (a version is removed only when cancelled before it
 * took effect), so the versions in force since that pass are the ones ranked between it and `current`: one with other
 * tiers (or none) in between, a version that never had its own pass, let sales judge on other thresholds. False when
 * `current` is not stored or no earlier version was handled: nothing says who was judged on what. Values also grow
 * without a sale judging them (`judgedSinceLastPass` says by what), which the caller weighs with `lastPassOf`.
 */
export function qualificationUnchangedSinceLastPass(
  versions: readonly VersionTiers[],
  handled: ReadonlySet<number>,
  current: { version: number; tiers: TierProgramme },
): boolean {
  return lastPassOf(versions, handled, current) !== null;
}

/**
 * The version whose pass is the last one before `current`'s, when it and every version since qualify as `current`
 * does (else null, as `qualificationUnchangedSinceLastPass`), with when the unbroken run of versions qualifying so
 * came into force (`sameSince`): a sale dated before it was judged on other tiers, or none.
 */
export function lastPassOf(
  versions: readonly VersionTiers[],
  handled: ReadonlySet<number>,
  current: { version: number; tiers: TierProgramme },
): { version: number; sameSince: Date } | null {
  const ordered = [...versions].sort(byComingIntoForce);
  const at = ordered.findIndex((v) => v.version === current.version);
  if (at < 0) return null;
  const from = ordered.slice(0, at).findLastIndex((v) => handled.has(v.version));
  if (from < 0) return null;
  const wanted = qualificationOf(current.tiers);
  const same = (v: VersionTiers) => storedQualification(v.tiers) === wanted;
  if (!ordered.slice(from, at + 1).every(same)) return null;
  let first = from;
  while (first > 0 && same(ordered[first - 1]!)) first--;
  return { version: ordered[from]!.version, sameSince: ordered[first]!.effectiveFrom };
}

const dayMs = 86_400_000;

/**
 * How long after its `occurredAt` a sale may still be applied: the gateway accepts it up to `maxAgeDays` old, and it
 * may then wait on the stream or among the dead letters before the ledger applies it (the margin the acceptance
 * records keep for the same wait, `pruneAcceptanceRecords`).
 */
export const lateSaleReachMs = (maxAgeDays: number) => (maxAgeDays + 25) * dayMs;

/**
 * A pass that found members on the right level, and what grew their values since without judging their tier:
 * - a merge: the survivor counts both customers' points, spend and orders, but keeps the higher of the two tiers held
 *   (`adoptLoyaltyState`) without judging the sum: the survivors of merges since the pass are judged;
 * - a sale applied late, dated before the run of versions qualifying as the current one: judged on the tiers in force
 *   at its `occurredAt` (other thresholds, or none). While such a sale can still arrive (`lateSaleReachMs` after the
 *   run began, counted from the pass), the pass judges everyone, as nothing finds those sales by when they came.
 * Everything else that credits points posts `bonus` or `adjust` movements (campaign and action points, tier and stamp
 * rewards, an admin's adjustment), which no basis counts, and a refund only lowers a value. `passAt` is when the last
 * pass ran; `overlapMs` covers a merge committed while that pass ran, dated by another clock before it began.
 */
export function judgedSinceLastPass(
  last: { passAt: Date; sameSince: Date },
  opts: { lateSaleReachMs: number; overlapMs: number },
): { everyone: true } | { survivorsOfMergesSince: Date } {
  if (last.sameSince.getTime() > last.passAt.getTime() - opts.lateSaleReachMs) return { everyone: true };
  return { survivorsOfMergesSince: new Date(last.passAt.getTime() - opts.overlapMs) };
}
