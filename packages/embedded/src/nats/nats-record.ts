import { readFile, rm } from "node:fs/promises";
import path from "node:path";
import { writePrivateFile } from "../private-file.ts";
import { isProcessAlive } from "../process-alive.ts";
import { probeNats } from "./probe-nats.ts";

/** What `${dataDir}/nats.json` says about the nats-server started for that data folder. */
export interface NatsRecord {
  url: string;
  port: number;
  pid: number;
  serverId: string;
}

const recordPath = (dataDir: string) => path.join(dataDir, "nats.json");

export async function readNatsRecord(dataDir: string): Promise<NatsRecord | undefined> {
  try {
    const v = JSON.parse(await readFile(recordPath(dataDir), "utf8")) as Partial<NatsRecord>;
    return typeof v.url === "string" &&
      typeof v.port === "number" &&
      typeof v.pid === "number" &&
      typeof v.serverId === "string"
      ? (v as NatsRecord)
      : undefined;
  } catch {
    return undefined;
  }
}

export const writeNatsRecord = (dataDir: string, record: NatsRecord) =>
  writePrivateFile(recordPath(dataDir), `${JSON.stringify(record, null, 2)}\n`);

export async function removeNatsRecord(dataDir: string, pid: number): Promise<void> {
  if ((await readNatsRecord(dataDir))?.pid === pid) await rm(recordPath(dataDir), { force: true });
}

/**
 * The nats-server of this data folder, if it is really still running: its pid is alive and the server
 * answering on its port is the one recorded (a new server on a reused port has another id).
 * The CLI and tools use this to reach the running system's NATS.
 */
export async function findRunningNats(dataDir: string): Promise<NatsRecord | undefined> {
  const record = await readNatsRecord(path.resolve(dataDir));
  if (!record || !isProcessAlive(record.pid)) return undefined;
  const probe = await probeNats(record.port);
  return probe.state === "nats" && probe.serverId === record.serverId ? record : undefined;
}
