import type { Db } from "@regulars/db";
import { isDomainError } from "@regulars/errors";

/** How a command group reaches the database: opened for the action, closed after it. */
export type WithDatabase = <T>(fn: (database: { db: Db }) => Promise<T>) => Promise<T>;

/** Flag problems and refusals are the operator's to fix: named, exit code 2, nothing changed. */
export class UsageError extends Error {}

/** Runs a command's action, printing usage errors and domain refusals without a stack trace, with exit code 2. */
export const action =
  <A extends unknown[]>(fn: (...args: A) => Promise<void>) =>
  async (...args: A) => {
    try {
      await fn(...args);
    } catch (e) {
      if (!(e instanceof UsageError) && !isDomainError(e)) throw e;
      process.stderr.write(`${e.message}\n`);
      process.exitCode = 2;
    }
  };

/** `--json` prints the value as one line of JSON; otherwise the text, as written for people. */
export const print = (json: boolean | undefined, value: unknown, text: string) =>
  process.stdout.write(json ? `${JSON.stringify(value)}\n` : text);

/** Refuses a `--tenant` that names no tenant before anything is done for it. */
export async function requireTenant(db: Db, tenantId: string): Promise<void> {
  if (!(await db.tenant.findUnique({ where: { id: tenantId }, select: { id: true } })))
    throw new UsageError(`--tenant: no tenant ${tenantId}`);
}
