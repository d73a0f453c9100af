import { createDb, type Db } from "@regulars/db";
import { resolveDataDir, startEmbeddedPostgres } from "@regulars/embedded";
import { envNumber } from "@regulars/runtime";
import { z } from "zod";

const CliEnv = z.object({
  DATABASE_URL: z.preprocess((v) => (v === "" ? undefined : v), z.string().url().optional()),
  REGULARS_DATA_DIR: z.string().optional(),
  EMBEDDED_POSTGRES_PORT: envNumber(z.coerce.number().int().min(1).max(65_535).default(54329)),
});

export interface CliDatabase {
  url: string;
  db: Db;
  close(): Promise<void>;
}

/**
 * The database the running system uses: DATABASE_URL when set, otherwise the embedded Postgres in the
 * local data folder (reusing the server's instance when it is up, starting it briefly when not).
 */
export async function openDatabase(env: NodeJS.ProcessEnv): Promise<CliDatabase> {
  const config = CliEnv.parse(env);
  if (config.DATABASE_URL) {
    const db = createDb({ url: config.DATABASE_URL, poolSize: 2 });
    return { url: config.DATABASE_URL, db, close: () => db.$disconnect() };
  }
  const pg = await startEmbeddedPostgres({
    dataDir: resolveDataDir({ override: config.REGULARS_DATA_DIR }),
    port: config.EMBEDDED_POSTGRES_PORT,
    log: (msg) => process.stderr.write(`${msg}\n`),
  });
  const db = createDb({ url: pg.url, poolSize: 2 });
  return {
    url: pg.url,
    db,
    async close() {
      await db.$disconnect();
      await pg.stop();
    },
  };
}
