import { recordAudit } from "@regulars/audit";
import { defaultProgramme, ProgrammeConfig } from "@regulars/contracts";
import { type Db, type DbTx, isUniqueViolation, withTransaction } from "@regulars/db";
import { DomainError } from "@regulars/errors";
import { highestCancelledVersion, lockProgramme } from "./cancel.ts";
import { changedParts, type ProgrammeEdit, validateProgramme } from "./edits.ts";
import { refuseRemovingHeldTiers } from "./held-tiers.ts";
import { DEFAULT_VERSION, versionInForce } from "./in-force.ts";
import { type AppliedEdit, type ChangeTiming, planChange, refuseOverwritingScheduled } from "./plan-change.ts";
import { refuseUnknownSegments } from "./segment-refs.ts";
import type { ProgrammeVersionSummary, ProgrammeVersionView } from "./types.ts";

const WRITE_ATTEMPTS = 5;

export interface ProgrammeChange extends ChangeTiming {
  tenantId: string;
  /** The API key id making the change; recorded on the version and in the audit log. */
  actor: string;
  /** Audit action, e.g. `programme.rules.upsert`. */
  action: string;
  /** What the change is about (a rule id), when it is about one thing. */
  target: string | null;
  edit: ProgrammeEdit;
}

/**
 * A new tenant's version 1: the default programme, in force since ever. Returned unsent, so the tenant's
 * creation can write it in the same database transaction as the tenant.
 */
export const firstVersion = (db: Db, tenantId: string, actor: string) =>
  db.programmeVersion.create({
    data: { tenantId, version: 1, effectiveFrom: new Date(0), config: defaultProgramme, createdBy: actor },
  });

type VersionRow = { version: number; effectiveFrom: Date; createdAt: Date; createdBy: string; config: unknown };

const viewOf = (row: VersionRow): ProgrammeVersionView => ({
  version: row.version,
  effectiveFrom: row.effectiveFrom.toISOString(),
  createdAt: row.createdAt.toISOString(),
  createdBy: row.createdBy,
  config: ProgrammeConfig.parse(row.config),
});

/** What a tenant that configured nothing earns by (version 0), as the ledger applies it. */
const defaultView = (): ProgrammeVersionView => ({
  version: DEFAULT_VERSION,
  effectiveFrom: new Date(0).toISOString(),
  createdAt: new Date(0).toISOString(),
  createdBy: "default",
  config: defaultProgramme,
});

/** The version in force at `at` (see `versionInForce`): the default programme, version 0, when none is. */
export async function programmeAt(
  db: Db | DbTx,
  tenantId: string,
  at: Date = new Date(),
): Promise<ProgrammeVersionView> {
  const rows = await db.programmeVersion.findMany({ where: { tenantId } });
  const found = versionInForce(rows, at);
  return found ? viewOf(found) : defaultView();
}

/** Newest first, without the documents; scheduled versions come before the one in force. */
export async function listVersions(
  db: Db,
  tenantId: string,
  now: Date = new Date(),
): Promise<ProgrammeVersionSummary[]> {
  const rows = await db.programmeVersion.findMany({ where: { tenantId }, orderBy: { version: "desc" } });
  const inForce = versionInForce(rows, now)?.version;
  const recordedBases = await basesOfVersions(db, tenantId);
  return rows.map((r, i) => ({
    version: r.version,
    effectiveFrom: r.effectiveFrom.toISOString(),
    createdAt: r.createdAt.toISOString(),
    createdBy: r.createdBy,
    inForce: r.version === inForce,
    // The stored version before it, not `version - 1`: numbers a cancellation removed are gaps it was not made from.
    basedOn: recordedBases.get(r.version) ?? rows[i + 1]?.version ?? DEFAULT_VERSION,
  }));
}

/** Only changes made to several versions at once record their base; the audit row is where it is kept. */
async function basesOfVersions(db: Db, tenantId: string): Promise<Map<number, number>> {
  const audits = await db.auditLog.findMany({
    where: { tenantId, action: { startsWith: "programme." } },
    select: { details: true },
  });
  const bases = new Map<number, number>();
  for (const { details } of audits) {
    const { version, basedOn } = (details ?? {}) as { version?: unknown; basedOn?: unknown };
    if (typeof version === "number" && typeof basedOn === "number") bases.set(version, basedOn);
  }
  return bases;
}

/**
 * One stored version with its document, for reading history (what a version changed against the one before).
 * Version 0 is the default programme a tenant earns by before it stores any.
 */
export async function programmeVersion(db: Db, tenantId: string, version: number): Promise<ProgrammeVersionView> {
  if (version === DEFAULT_VERSION) return defaultView();
  const row = await db.programmeVersion.findFirst({ where: { tenantId, version } });
  if (!row) throw new DomainError("not_found", `programme version ${version} does not exist`);
  return viewOf(row);
}

/**
 * Applies `edit` to the latest version, or with `alsoScheduled` to the version in force at `effectiveFrom` and
 * every one scheduled after it (see `planChange`; refused where a scheduled version differs in what the edit
 * touches, see `refuseOverwritingScheduled`), and stores each result as a new version with its audit row,
 * in one transaction. Writers of one tenant queue on an advisory lock; the primary key on (tenant, version)
 * still guards against writers that do not take it, and such a collision is retried.
 * Returns the version that takes effect at `effectiveFrom`.
 */
export async function changeProgramme(db: Db, change: ProgrammeChange): Promise<ProgrammeVersionView> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await withTransaction(db, (tx) => writeNextVersions(tx, change));
    } catch (e) {
      if (!isUniqueViolation(e)) throw e;
      if (attempt >= WRITE_ATTEMPTS)
        throw new DomainError("conflict", "the programme kept changing underneath this edit; load it again and retry");
      await new Promise((r) => setTimeout(r, 5 * attempt + Math.random() * 20));
    }
  }
}

async function writeNextVersions(tx: DbTx, change: ProgrammeChange): Promise<ProgrammeVersionView> {
  await lockProgramme(tx, change.tenantId);
  const rows = await tx.programmeVersion.findMany({ where: { tenantId: change.tenantId } });
  const tenant = await tx.tenant.findUnique({ where: { id: change.tenantId }, select: { timezone: true } });
  // Refusals name scheduled times on the tenant's clock, as the admin app shows them.
  const timezone = tenant?.timezone ?? "UTC";
  const plan = planChange(rows, new Date(), change, timezone);
  const cancelled = await highestCancelledVersion(tx, change.tenantId);
  let version = Math.max(DEFAULT_VERSION, cancelled, ...rows.map((r) => r.version));
  // A tenant that configured nothing edits the default programme it has been earning by.
  const applied: AppliedEdit[] = plan.map(({ base, effectiveFrom }) => {
    const before = base ? ProgrammeConfig.parse(base.config) : defaultProgramme;
    return { version: base?.version ?? DEFAULT_VERSION, effectiveFrom, before, after: change.edit(before) };
  });
  refuseOverwritingScheduled(applied, timezone);
  const written: ProgrammeVersionView[] = [];
  for (const { version: basedOn, effectiveFrom, before, after: candidate } of applied) {
    const after = validateProgramme(candidate);
    await refuseRemovingHeldTiers(tx, change.tenantId, before, after, effectiveFrom);
    await refuseUnknownSegments(tx, change.tenantId, before, after);
    version += 1;
    const row = await tx.programmeVersion.create({
      data: { tenantId: change.tenantId, version, effectiveFrom, config: after, createdBy: change.actor },
    });
    await recordAudit(tx, {
      tenantId: change.tenantId,
      actor: change.actor,
      action: change.action,
      target: change.target,
      details: {
        version,
        effectiveFrom: effectiveFrom.toISOString(),
        ...(basedOn !== DEFAULT_VERSION && plan.length > 1 ? { basedOn } : {}),
        ...changedParts(before, after),
      },
    });
    written.push(viewOf(row));
  }
  return written[0] as ProgrammeVersionView;
}
