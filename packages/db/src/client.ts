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
