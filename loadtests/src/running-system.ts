import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";

/** A mistake the user can fix: printed as is, without a stack trace. */
export class BenchUsageError extends Error {}

const DemoKeys = z.object({ admin: z.string(), pos: z.string().min(1), kiosk: z.string(), analyst: z.string() });

/** What the running server writes to `<data dir>/server.json`. */
const ServerInfo = z.object({
  pid: z.number().int().positive(),
  gatewayUrl: z.string().min(1).nullable(),
  apiUrl: z.string().nullable(),
  natsUrl: z.string().min(1),
  namespace: z.string().min(1),
  // Servers write where the demo keys are (a private file); older ones wrote the keys themselves.
  demo: z.union([
    z.object({ tenantId: z.string(), apiKeys: DemoKeys }),
    z.object({ tenantId: z.string(), keysFile: z.string().min(1) }),
  ]),
});
export type ServerInfo = z.infer<typeof ServerInfo>;

export function findRepoRoot(from: string = dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, "pnpm-workspace.yaml"))) return dir;
    if (dirname(dir) === dir)
      throw new BenchUsageError(`no pnpm-workspace.yaml above ${from}: run the bench from the Regulars repository`);
  }
}

/** The running system's data folder: `--data-dir`, else REGULARS_DATA_DIR (as the server reads it), else `<repo>/.data`. */
export function dataDirOf(flag: string | undefined): string {
  return flag ?? process.env.REGULARS_DATA_DIR ?? join(findRepoRoot(), ".data");
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

export function readServerInfo(path: string): ServerInfo | null {
  if (!existsSync(path)) return null;
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new BenchUsageError(
      `${path} is not readable JSON (${(e as Error).message}): restart the system with \`npm start\``,
    );
  }
  const parsed = ServerInfo.safeParse(json);
  if (!parsed.success)
    throw new BenchUsageError(
      `${path} is not what the server writes: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`,
    );
  return parsed.data;
}

/** A demo key (pos, admin, ...): from server.json itself (older servers) or the private keys file it names. */
export function demoKey(demo: ServerInfo["demo"], role: keyof z.infer<typeof DemoKeys>): string | undefined {
  if ("apiKeys" in demo) return demo.apiKeys[role];
  try {
    return z.object({ apiKeys: DemoKeys }).parse(JSON.parse(readFileSync(demo.keysFile, "utf8"))).apiKeys[role];
  } catch {
    return undefined; // unreadable: the user is told to pass the key
  }
}

const PostgresRecord = z.object({ pid: z.number().int().positive(), url: z.string().min(1) });

/**
 * The embedded Postgres the running system uses, from `<data dir>/postgres.json` (written by the embedded
 * start, readable by its owner only), when its process is alive; null otherwise.
 */
export function embeddedDatabaseUrl(dataDir: string): string | null {
  try {
    const record = PostgresRecord.parse(JSON.parse(readFileSync(join(dataDir, "postgres.json"), "utf8")));
    return isAlive(record.pid) ? record.url : null;
  } catch {
    return null;
  }
}
