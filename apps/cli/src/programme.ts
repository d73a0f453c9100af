import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import type { Db } from "@regulars/db";
import { isDomainError } from "@regulars/errors";
import {
  cancelScheduledVersion,
  changeProgramme,
  EFFECTIVE_FROM_FORMS,
  effectiveFromIn,
  programmeAt,
  ScheduledAhead,
  tenantLocalTime,
} from "@regulars/programme";
import { requireTenant, UsageError } from "./command-kit.ts";

/**
 * Replaces a tenant's programme with a JSON document, as a new audited version. `effectiveFrom` is read as the
 * tenant's wall clock unless it carries an offset: the operator means the restaurants' New Year, not the server's.
 * Returns the version and when it takes effect, as the tenant's clock and as UTC.
 */
export async function setProgrammeFromFile(db: Db, tenantId: string, file: string, effectiveFrom?: string) {
  const tenant = await db.tenant.findUnique({ where: { id: tenantId }, select: { timezone: true } });
  if (!tenant) throw new UsageError(`--tenant: no tenant ${tenantId}`);
  const from = effectiveFrom === undefined ? undefined : effectiveFromIn(effectiveFrom, tenant.timezone);
  if (from === null) throw new UsageError(`--effective-from: '${effectiveFrom}' is not ${EFFECTIVE_FROM_FORMS}`);
  const config = await programmeFile(file);
  try {
    const version = await changeProgramme(db, {
      tenantId,
      actor: "cli",
      action: "programme.replace",
      target: file,
      edit: () => config as never, // validated by changeProgramme, with precise paths on failure
      effectiveFrom: from,
    });
    const at = new Date(version.effectiveFrom);
    return { ...version, effectiveFromLocal: tenantLocalTime(at, tenant.timezone) };
  } catch (e) {
    if (e instanceof ScheduledAhead) {
      // The API's way round (a change to the version in force and the scheduled one alike) is not the CLI's.
      const { version, effectiveFrom: at } = e.scheduled;
      throw new UsageError(
        `--effective-from: version ${version} is scheduled to take effect at ${tenantLocalTime(at, tenant.timezone)} ` +
          `(${at.toISOString()}), and a programme may not take effect before it. Pass --effective-from at or after ` +
          "that time to replace the scheduled version, or make the change to the version in force and the scheduled " +
          "one alike on the admin's Programme page",
      );
    }
    if (isDomainError(e) && e.issues) {
      const flag = (path: string) => (path === "effectiveFrom" ? "--effective-from" : path);
      throw new UsageError(`${e.message}\n${e.issues.map((i) => `  ${flag(i.path)}: ${i.message}`).join("\n")}`);
    }
    throw e;
  }
}

/**
 * The programme a `--file` holds: a ProgrammeConfig, or what `programme show` printed (its `config` is taken, so the
 * natural round trip of editing what was shown works). Keys a programme does not have are refused by
 * `validateProgramme`, each named.
 */
export async function programmeFile(file: string): Promise<unknown> {
  // pnpm runs scripts in the package folder; a relative path means relative to where the user typed it.
  const path = resolve(process.env.INIT_CWD ?? process.cwd(), file);
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (e) {
    throw new UsageError(`--file: cannot read ${path} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`--file: ${path} is not JSON: ${(e as Error).message}`);
  }
  const shown = parsed as { config?: unknown; version?: unknown };
  const document =
    shown && typeof shown === "object" && "config" in shown && "version" in shown ? shown.config : parsed;
  if (!document || typeof document !== "object" || Array.isArray(document))
    throw new UsageError(`--file: ${path} must hold a programme object (ProgrammeConfig)`);
  return document;
}

export async function showProgramme(db: Db, tenantId: string) {
  await requireTenant(db, tenantId);
  return programmeAt(db, tenantId);
}

/**
 * Cancels a version scheduled for the future (see `cancelScheduledVersion`: the row is deleted, the audit log keeps
 * it, its number is not given again). Refusals (in force, too close to its start, not the newest, no such version) are
 * the operator's to fix: named after `--version`, exit code 2. The clock-skew allowance is the deployment's
 * OCCURRED_AT_MAX_AHEAD_SECONDS, read from the same environment as the gateway's.
 */
export async function cancelScheduledFromCli(
  db: Db,
  tenantId: string,
  version: string,
  occurredAtMaxAheadSeconds?: number,
) {
  const tenant = await db.tenant.findUnique({ where: { id: tenantId }, select: { timezone: true } });
  if (!tenant) throw new UsageError(`--tenant: no tenant ${tenantId}`);
  const number = /^\d{1,10}$/.test(version.trim()) ? Number(version) : Number.NaN;
  if (!(number >= 1 && number <= 2_147_483_647))
    throw new UsageError(`--version: '${version}' is not a version number (a whole number from 1)`);
  try {
    const cancelled = await cancelScheduledVersion(db, {
      tenantId,
      actor: "cli",
      version: number,
      ...(occurredAtMaxAheadSeconds !== undefined ? { occurredAtMaxAheadSeconds } : {}),
    });
    const at = new Date(cancelled.effectiveFrom);
    return { ...cancelled, effectiveFromLocal: tenantLocalTime(at, tenant.timezone) };
  } catch (e) {
    if (isDomainError(e)) throw new UsageError(`--version: ${e.message}`);
    throw e;
  }
}
