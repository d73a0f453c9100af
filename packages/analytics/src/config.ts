import { chmodSync, mkdirSync } from "node:fs";
import {
  type ClickHouseClient,
  type ClickHouseClientConfigOptions,
  ClickHouseLogLevel,
  createClient,
} from "@clickhouse/client";
import { SerialChdbConnection } from "./chdb-connection.ts";

/** Where the facts live: embedded chdb in dev and tests, a ClickHouse server over HTTP in production. */
export type AnalyticsConfig =
  | { kind: "chdb"; path: string; database: string } // path: data folder, or ":memory:"
  | { kind: "http"; url: string; username?: string; password?: string; database: string };

const identifierPattern = /^[a-zA-Z_][a-zA-Z0-9_]{0,62}$/;

/**
 * The database name is the one thing spliced into SQL text (ClickHouse cannot bind identifiers as
 * query parameters), so it must be a plain identifier: no quoting tricks, no dots, no spaces.
 */
export function assertIdentifier(name: string): string {
  if (typeof name !== "string" || !identifierPattern.test(name)) {
    throw new Error(
      `Invalid database name ${JSON.stringify(name)}: expected a letter or underscore followed by up to 62 letters, digits or underscores`,
    );
  }
  return name;
}

/**
 * Applied on the client, not per query: chdb turns per-query settings into `SET` statements that stick
 * to the session, so per-query settings would leak into later queries there.
 */
const clickhouseSettings = {
  // Int64 money/points come back as strings; JSON numbers above 2^53 would silently lose precision.
  output_format_json_quote_64bit_integers: 1,
  // Lets the server accept ISO 8601 with an offset as well; inserts still send UTC text (see facts.ts).
  date_time_input_format: "best_effort",
} as const;

/** chdb is a ~550 MB native library: loaded only when the embedded engine is actually used. */
async function loadChdb(): Promise<typeof import("chdb/connection")> {
  return import("chdb/connection");
}

/**
 * The embedded engine's folder holds every customer's events: the owner's alone, as the embedded Postgres and NATS
 * folders are. chdb writes its files with the process umask (world-readable by default); a private folder keeps
 * other local users out of them whatever their modes. An existing folder is tightened too.
 */
export function keepFolderPrivate(path: string): void {
  mkdirSync(path, { recursive: true, mode: 0o700 });
  chmodSync(path, 0o700);
}

export async function createClickHouseClient(config: AnalyticsConfig): Promise<ClickHouseClient> {
  if (config.kind === "http") {
    // No `database` option: over HTTP it is sent with every request, and the server refuses requests
    // naming a database that does not exist yet, which would break the CREATE DATABASE in migrate().
    // Every statement names `db.table` instead, which also keeps HTTP and chdb on the same SQL.
    return createClient({
      url: config.url,
      username: config.username,
      password: config.password,
      clickhouse_settings: clickhouseSettings,
      // Every failure reaches the caller as an error, and the consumer logs it once with what it means
      // (paused, retried, dead-lettered); the client's own console lines would repeat it per request.
      log: { level: ClickHouseLogLevel.OFF },
    });
  }
  const { createChdbConnection } = await loadChdb();
  if (config.path !== ":memory:") keepFolderPrivate(config.path);
  let connection: ReturnType<typeof createChdbConnection>;
  try {
    connection = createChdbConnection({ path: config.path });
  } catch (error) {
    // The engine is a process singleton bound to one data folder; make that failure explain itself.
    throw new Error(
      `Could not open chdb at ${JSON.stringify(config.path)} (one process can hold only one chdb data folder at a time, ` +
        `and a folder can be held by only one process): ${(error as Error).message}`,
      { cause: error },
    );
  }
  // chdb's Connection is typed against its own copy of @clickhouse/client-common, which the client's
  // bundled types do not recognise as the same interface; the runtime contract is the same.
  // Serialised, so a failed statement's leftover output is read out before anything else runs (chdb-connection.ts).
  const serial = new SerialChdbConnection(connection);
  const options = {
    connection: serial,
    clickhouse_settings: clickhouseSettings,
  } as unknown as ClickHouseClientConfigOptions;
  return createClient(options);
}
