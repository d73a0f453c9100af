/** The version number of "no version configured": the default programme (1 point per 1.00 of eligible spend). */
export const DEFAULT_VERSION = 0;

/**
 * The version in force at `at`: the greatest `effectiveFrom` not after it, the later version on a tie;
 * null when none is (no version yet, or all scheduled later). Callers then use the default programme
 * (version 0), so a tenant without a programme earns the same in the ledger, the jobs, the API and the CLI.
 */
export function versionInForce<V extends { version: number; effectiveFrom: Date }>(
  versions: readonly V[],
  at: Date,
): V | null {
  let best: V | null = null;
  for (const v of versions) {
    if (v.effectiveFrom.getTime() > at.getTime()) continue;
    if (
      !best ||
      v.effectiveFrom > best.effectiveFrom ||
      (v.effectiveFrom.getTime() === best.effectiveFrom.getTime() && v.version > best.version)
    )
      best = v;
  }
  return best;
}
