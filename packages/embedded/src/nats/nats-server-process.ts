import { spawn } from "node:child_process";
import { OutputTail } from "../output-tail.ts";

export interface NatsServerProcess {
  readonly output: OutputTail;
  readonly pid: number;
  isRunning(): boolean;
  /** Ends the server (SIGTERM, SIGKILL after 10 s) and resolves once it has exited. */
  stop(): Promise<void>;
}

export function spawnNatsServer(binary: string, args: string[]): NatsServerProcess {
  const output = new OutputTail();
  // A process group of its own: a Ctrl-C in the terminal reaches the app, which stops NATS after draining.
  const child = spawn(binary, args, { stdio: ["ignore", "pipe", "pipe"], detached: true });
  let running = true;
  // An app that exits without calling stop() must not leave a server behind holding the port.
  const killOnExit = () => child.kill();
  process.on("exit", killOnExit);
  const exited = new Promise<void>((resolve) => {
    const onGone = () => {
      running = false;
      process.off("exit", killOnExit);
      resolve();
    };
    child.once("exit", onGone);
    child.once("error", (error) => {
      output.push(`could not run ${binary}: ${error.message}`);
      onGone();
    });
  });
  // Always drained: a full pipe would block the server.
  child.stdout.on("data", (chunk: Buffer) => output.push(chunk.toString("utf8")));
  child.stderr.on("data", (chunk: Buffer) => output.push(chunk.toString("utf8")));

  return {
    output,
    pid: child.pid ?? -1,
    isRunning: () => running,
    stop: async () => {
      if (!running) return;
      child.kill("SIGTERM");
      const forceKill = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(forceKill);
    },
  };
}
