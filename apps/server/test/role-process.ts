import type { ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Role, ServerRecord } from "@regulars/runtime";
import { eventually, signalAndWait, spawnWithLifeline } from "@regulars/testing";

const mainPath = fileURLToPath(new URL("../src/main.ts", import.meta.url));
const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));

/** One role of the server as an OS process of its own, as in production; it dies with the test process. */
export interface RoleProcess {
  readonly role: Role;
  /** What `server.json` says once the process is up: its URLs. */
  readonly record: ServerRecord;
  /** The last lines it printed (its log, JSON): attach them to a failure. */
  output(): string;
  kill(): Promise<void>;
  /** Kills it and removes its data folder. */
  dispose(): Promise<void>;
}

/** Starts `--role <role>` with `env` on random ports and resolves once it is serving. */
export async function startRoleProcess(role: Role, env: Record<string, string>): Promise<RoleProcess> {
  const dataDir = mkdtempSync(join(tmpdir(), `regulars-${role}-`));
  const lines: string[] = [];
  const keep = (chunk: Buffer) => {
    lines.push(...chunk.toString("utf8").split("\n").filter(Boolean));
    if (lines.length > 400) lines.splice(0, lines.length - 400);
  };
  const child: ChildProcess = spawnWithLifeline(process.execPath, ["--import", "tsx", mainPath, "--role", role], {
    cwd: repoRoot,
    env: {
      ...process.env,
      REGULARS_DATA_DIR: dataDir,
      REGULARS_DEMO: "off",
      GATEWAY_PORT: "0",
      API_PORT: "0",
      WORKERS_PORT: "0",
      LOG_FORMAT: "json",
      LOG_LEVEL: "warn",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const handle = {
    role,
    output: () => lines.join("\n"),
    kill: () => signalAndWait(child, "SIGKILL"),
    async dispose() {
      await signalAndWait(child, "SIGKILL");
      await rm(dataDir, { recursive: true, force: true });
    },
  };
  try {
    // server.json is written once every dependency is connected and every listener is up.
    const record = await eventually(
      `the ${role} process to start`,
      async () => {
        if (child.exitCode !== null || child.signalCode !== null) return null; // no use waiting longer
        const record = JSON.parse(readFileSync(join(dataDir, "server.json"), "utf8")) as ServerRecord;
        return record.pid === child.pid ? record : undefined;
      },
      90_000,
      100,
    );
    if (!record) throw new Error(`the ${role} process exited before serving:\n${handle.output()}`);
    return { ...handle, record };
  } catch (e) {
    await handle.dispose();
    throw e;
  }
}
