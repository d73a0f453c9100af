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
 * pass left nobody below the level their value reached, and values have grown since only by sales, each of which
 * raised its customer on the tiers of a version in that range. The version in force only moves forward in
 * `byComingIntoForce` order (a version is removed only when cancelled before it took effect), so the versions in
 * force since that pass are the ones ranked between it and `current`: one with other tiers (or none) in between, a
 * version that never had its own pass, let sales judge on other thresholds. False when `current` is not stored or no
 * earlier version was handled: nothing says who was judged on what.
 */
export function qualificationUnchangedSinceLastPass(
  versions: readonly VersionTiers[],
  handled: ReadonlySet<number>,
  current: { version: number; tiers: TierProgramme },
): boolean {
  const ordered = [...versions].sort(byComingIntoForce);
  const at = ordered.findIndex((v) => v.version === current.version);
  if (at < 0) return false;
  const from = ordered.slice(0, at).findLastIndex((v) => handled.has(v.version));
  if (from < 0) return false;
  const wanted = qualificationOf(current.tiers);
  return ordered.slice(from, at + 1).every((v) => storedQualification(v.tiers) === wanted);
}
