import { readFile, rm } from "node:fs/promises";
import { tightenFileMode, writePrivateFile } from "@regulars/embedded";
import { redactUrl } from "@regulars/logger";
import type { Role } from "./config.ts";

const recordFile = (dataDir: string) => `${dataDir}/server.json`;

export interface ServerRecord {
  pid: number;
  roles: Role[];
  gatewayUrl: string | null;
  apiUrl: string | null;
  workersUrl: string | null;
  /** Credentials masked: a tool that needs them is given them another way (e.g. --nats). */
  natsUrl: string;
  namespace: string;
  /** Where the demo tenant's keys are; the keys themselves stay in that one private file. */
  demo: { tenantId: string; keysFile: string } | null;
}

/** Lets the CLI and the benchmark find the running system without being told. Holds no plain credentials. */
export async function writeServerRecord(dataDir: string, info: Omit<ServerRecord, "pid">): Promise<void> {
  const record: ServerRecord = { pid: process.pid, ...info, natsUrl: redactUrl(info.natsUrl) };
  await writePrivateFile(recordFile(dataDir), JSON.stringify(record, null, 2));
}

/** Removed on a clean stop, but only while it still describes this process (a newer server may own it). */
export async function removeServerRecord(dataDir: string): Promise<void> {
  const text = await readFile(recordFile(dataDir), "utf8").catch(() => null);
  const pid = text ? (JSON.parse(text) as { pid?: unknown }).pid : null;
  if (pid === process.pid) await rm(recordFile(dataDir), { force: true });
}

/** Files that older versions wrote readable by everyone. */
export async function tightenDataFiles(dataDir: string): Promise<void> {
  for (const name of ["server.json", "demo-tenant.json", "postgres.json", "nats.json"])
    await tightenFileMode(`${dataDir}/${name}`);
}
