import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** What `${dataDir}/postgres.json` says about the Postgres started from that folder. */
export interface PostgresRecord {
  port: number;
  pid: number;
  url: string;
}

const recordPath = (dataDir: string) => path.join(dataDir, 'postgres.json');

export async function readPostgresRecord(dataDir: string): Promise<PostgresRecord | undefined> {
  try {
    const value: unknown = JSON.parse(await readFile(recordPath(dataDir), 'utf8'));
    return isPostgresRecord(value) ? value : undefined;
  } catch {
    return undefined; // missing or half-written: treat as "nothing recorded"
  }
}

/** Written via rename so a reader never sees half a file. */
export async function writePostgresRecord(dataDir: string, record: PostgresRecord): Promise<void> {
  const scratch = `${recordPath(dataDir)}.${process.pid}.tmp`;
  await writeFile(scratch, `${JSON.stringify(record, null, 2)}\n`);
  await rename(scratch, recordPath(dataDir));
}

/** Removes the record only if it still describes `pid`, so a stopping process never erases a newer one's. */
export async function removePostgresRecord(dataDir: string, pid: number): Promise<void> {
  const record = await readPostgresRecord(dataDir);
  if (record?.pid === pid) await rm(recordPath(dataDir), { force: true });
}

function isPostgresRecord(value: unknown): value is PostgresRecord {
  const v = value as Partial<PostgresRecord> | null;
  return typeof v?.port === 'number' && typeof v.pid === 'number' && typeof v.url === 'string';
}
