import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "./generated/prisma/client.ts";

export type Db = PrismaClient;

export interface DbOptions {
  url: string;
  /** Connections in this process's pool; the ledger worker wants a few, the CLI one. */
  poolSize?: number;
}

/** The only way code gets a database handle; the URL comes from the app's validated config. */
export function createDb(opts: DbOptions): Db {
  const adapter = new PrismaPg({ connectionString: opts.url, max: opts.poolSize ?? 10 });
  return new PrismaClient({ adapter });
}

/**
 * Money and points are bigint columns; the API and the engine use JavaScript numbers, exact below 2^53.
 * Contract bounds (10^12 minor units or points per transaction) keep every balance far below that, and
 * this conversion refuses rather than rounds should one ever get there.
 */
export function exactNumber(value: bigint | number | string | null | undefined): number {
  if (value === null || value === undefined) return 0;
  const n = typeof value === "number" ? value : Number(value);
  if (!Number.isSafeInteger(n)) throw new RangeError(`${value} is not an exact integer below 2^53`);
  return n;
}
