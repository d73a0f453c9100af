import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

export interface ClickHouseHttpServer {
  /** `http://127.0.0.1:<port>`, for CLICKHOUSE_URL or `createAnalytics({ kind: "http" })`. */
  readonly url: string;
  readonly port: number;
  stop(): Promise<void>;
}

const childPath = fileURLToPath(new URL("./clickhouse-http-child.ts", import.meta.url));
const packageDir = fileURLToPath(new URL("../", import.meta.url));

/**
 * A real ClickHouse engine (chdb) behind the ClickHouse HTTP interface, in a child process: the
 * production code path (@clickhouse/client over HTTP) on a machine without a ClickHouse server.
 * Put a TCP proxy in front of it to make it unreachable.
 */
export async function startClickHouseHttpServer(): Promise<ClickHouseHttpServer> {
  const child: ChildProcess = spawn(
    process.execPath,
    ["--import", "tsx", childPath], // The IPC channel closes when the test process dies without stopping us (a timeout, a killed worker):
    // the child exits on "disconnect", so no engine outlives the suite.
    { cwd: packageDir, stdio: ["ignore", "pipe", "inherit", "ipc"] },
  );
  child.channel?.unref(); // the channel is only a lifeline; it must not keep the test process alive
  const port = await new Promise<number>((resolve, reject) => {
    let out = "";
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening (\d+)/.exec(out);
      if (match) {
        child.stdout!.off("data", onData);
        resolve(Number(match[1]));
      }
    };
    child.stdout!.on("data", onData);
    child.once("exit", (code) =>
      reject(new Error(`the ClickHouse HTTP test server exited with code ${code} before listening`)),
    );
    child.once("error", reject);
  });
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await exited;
    },
  };
}
