import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import type { Db } from "@regulars/db";
import { isDomainError } from "@regulars/errors";
import { changeProgramme, programmeAt } from "@regulars/programme";

/** Replaces a tenant's programme with a JSON document, as a new audited version. */
export async function setProgrammeFromFile(db: Db, tenantId: string, file: string, effectiveFrom?: string) {
  // pnpm runs scripts in the package folder; a relative path means relative to where the user typed it.
  const config = JSON.parse(await readFile(resolve(process.env.INIT_CWD ?? process.cwd(), file), "utf8")) as unknown;
  try {
    return await changeProgramme(db, {
      tenantId,
      actor: "cli",
      action: "programme.replace",
      target: file,
      edit: () => config as never, // validated by changeProgramme, with precise paths on failure
      ...(effectiveFrom ? { effectiveFrom: new Date(effectiveFrom) } : {}),
    });
  } catch (e) {
    if (isDomainError(e) && e.issues)
      throw new Error(`${e.message}\n${e.issues.map((i) => `  ${i.path}: ${i.message}`).join("\n")}`);
    throw e;
  }
}

export const showProgramme = (db: Db, tenantId: string) => programmeAt(db, tenantId);
