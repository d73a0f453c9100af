import { recordAudit } from "@regulars/audit";
import { defaultOccurredAtWindow } from "@regulars/contracts";
import type { Db, DbTx } from "@regulars/db";
import { withTransaction } from "@regulars/db";
import { DomainError } from "@regulars/errors";
import { tenantLocalTime } from "./effective-from.ts";

/** The audit action of a cancellation; its row keeps the cancelled version's number and document. */
export const CANCEL_ACTION = "programme.cancel";

export interface ProgrammeCancellation {
  tenantId: string;
  /** The API key id (or "cli") cancelling; recorded in the audit log. */
  actor: string;
  version: number;
  /**
   * How far ahead of its clock the gateway accepts a sale's `occurredAt` (its OCCURRED_AT_MAX_AHEAD_SECONDS);
   * the contracts' default when absent.
   */
  occurredAtMaxAheadSeconds?: number;
}

export interface CancelledVersion {
  version: number;
  effectiveFrom: string;
  /** Every version removed, newest first: the cancelled one and any it replaced at the same instant. */
  removed: number[];
}

/**
 * Cancels a version scheduled for the future: its row is deleted (the table has no "cancelled" column, and a
 * deleted row is what every reader, the ledger's cache included, already understands), and the audit row keeps
 * its number, time and document. Only the newest version may be cancelled: a later one was made from its
 * document and would keep its changes. Versions it replaced at the same instant (a change made to the version in
 * force and the scheduled one alike leaves the old scheduled one there, shadowed) go with it, or they would come
 * into force in its place. Its number is never given again (see `highestCancelledVersion`), so history,
 * `basedOn` and caches comparing the newest number never mistake a later version for it.
 *
 * A version starting within `occurredAtMaxAheadSeconds` of `now` is refused like one in force: the gateway accepts
 * sales stamped up to that far ahead of its clock and the ledger earns them under the version in force at their
 * stamp, so it may already have ledger movements made under it, which deleting it would leave under a version
 * history says never was in force.
 */
export async function cancelScheduledVersion(
  db: Db,
  cancellation: ProgrammeCancellation,
  now: Date = new Date(),
): Promise<CancelledVersion> {
  const { tenantId, actor, version } = cancellation;
  const aheadSeconds = cancellation.occurredAtMaxAheadSeconds ?? defaultOccurredAtWindow.maxAheadSeconds;
  return withTransaction(db, async (tx) => {
    await lockProgramme(tx, tenantId);
    const tenant = await tx.tenant.findUnique({ where: { id: tenantId }, select: { timezone: true } });
    const rows = await tx.programmeVersion.findMany({ where: { tenantId }, orderBy: { version: "desc" } });
    const target = rows.find((r) => r.version === version);
    if (!tenant || !target) throw new DomainError("not_found", `programme version ${version} does not exist`);
    const when = (at: Date) => `${tenantLocalTime(at, tenant.timezone)} (${at.toISOString()})`;
    if (target.effectiveFrom.getTime() <= now.getTime())
      throw new DomainError(
        "conflict",
        `version ${version} took effect at ${when(target.effectiveFrom)}: only a version scheduled for the future ` +
          "can be cancelled. Make a new change to undo what it changed",
      );
    const lastChance = new Date(target.effectiveFrom.getTime() - aheadSeconds * 1_000);
    if (lastChance.getTime() <= now.getTime())
      throw new DomainError(
        "conflict",
        `version ${version} takes effect at ${when(target.effectiveFrom)}, too close to cancel: sales stamped up to ` +
          `${aheadSeconds} seconds ahead of the clock are accepted and may already have earned under it, so it ` +
          `could be cancelled only before ${when(lastChance)}. Make a new change to undo what it changes`,
      );
    const newest = rows[0]!;
    if (newest.version !== version)
      throw new DomainError(
        "conflict",
        `version ${newest.version}, scheduled from ${when(newest.effectiveFrom)}, was made after version ${version} ` +
          `and carries its changes: cancel version ${newest.version} first`,
      );
    const removed = rows
      .filter((r) => r.effectiveFrom.getTime() === target.effectiveFrom.getTime())
      .map((r) => r.version);
    await tx.programmeVersion.deleteMany({ where: { tenantId, version: { in: removed } } });
    const effectiveFrom = target.effectiveFrom.toISOString();
    await recordAudit(tx, {
      tenantId,
      actor,
      action: CANCEL_ACTION,
      target: String(version),
      details: { version, effectiveFrom, removed, config: target.config },
    });
    return { version, effectiveFrom, removed };
  });
}

/** Writers of one tenant's programme queue here, so a cancellation and a change never interleave. */
export const lockProgramme = (tx: DbTx, tenantId: string) =>
  tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`programme:${tenantId}`}, 0))`;

/**
 * The highest number a cancellation removed (0: none). New versions are numbered above it: a number given twice
 * would let a cache that saw the cancelled version take its successor for it, and the audit rows of the cancelled
 * one (its `basedOn`, its changes) describe the new one in history.
 */
export async function highestCancelledVersion(tx: DbTx, tenantId: string): Promise<number> {
  const rows = await tx.auditLog.findMany({ where: { tenantId, action: CANCEL_ACTION }, select: { details: true } });
  return Math.max(0, ...rows.map((r) => Number((r.details as { version?: unknown } | null)?.version) || 0));
}
