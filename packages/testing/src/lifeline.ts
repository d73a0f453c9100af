import { type ChildProcess, type SpawnOptions, spawn } from "node:child_process";
import { accessSync, constants } from "node:fs";

const setpriv = ["/usr/bin/setpriv", "/bin/setpriv"].find((path) => {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
});

/**
 * Spawns a process that dies with the test process, however the test process ends (a timeout, a
 * crash, SIGKILL from a supervisor): it is started through util-linux `setpriv --pdeathsig KILL`, which
 * asks the kernel to SIGKILL it when its parent goes. Without that, a nats-server or a role process
 * would outlive a killed test run, holding its ports and joining the next run's consumers. `setpriv`
 * execs the command, so `child.pid` is the command's own pid and signals reach it directly. Where
 * `setpriv` is missing (not Linux) the command is spawned plainly and must be stopped by the test.
 */
export function spawnWithLifeline(command: string, args: string[], options: SpawnOptions): ChildProcess {
  if (!setpriv) return spawn(command, args, options);
  return spawn(setpriv, ["--pdeathsig", "KILL", "--", command, ...args], options);
}

/** Sends `signal` and resolves once the process has exited (at once if it already has). */
export function signalAndWait(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once("exit", () => resolve());
    child.kill(signal);
  });
}
