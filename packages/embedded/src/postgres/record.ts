import { readFile, rm } from "node:fs/promises";
import path from "node:path";
import { writePrivateFile } from "../private-file.ts";

/** What `${dataDir}/postgres.json` says about the Postgres started from that folder. */
export interface PostgresRecord {
  port: number;
  pid: number;
  url: string;
}

const recordPath = (dataDir: string) => path.join(dataDir, "postgres.json");

export async function readPostgresRecord(dataDir: string): Promise<PostgresRecord | undefined> {
  try {
    const value: unknown = JSON.parse(await readFile(recordPath(dataDir), "utf8"));
    return isPostgresRecord(value) ? value : undefined;
  } catch {
    return undefined; // missing or half-written: treat as "nothing recorded"
  }
}

/** Private (it holds the URL with the password), and written via rename so a reader never sees half a file. */
export async function writePostgresRecord(dataDir: string, record: PostgresRecord): Promise<void> {
  await writePrivateFile(recordPath(dataDir), `${JSON.stringify(record, null, 2)}\n`);
}

/** Removes the record only if it still describes `pid`, so a stopping process never erases a newer one's. */
export async function removePostgresRecord(dataDir: string, pid: number): Promise<void> {
  const record = await readPostgresRecord(dataDir);
  if (record?.pid === pid) await rm(recordPath(dataDir), { force: true });
}

function isPostgresRecord(value: unknown): value is PostgresRecord {
  const v = value as Partial<PostgresRecord> | null;
  return typeof v?.port === "number" && typeof v.pid === "number" && typeof v.url === "string";
}
