import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";
import { eventually, signalAndWait } from "../src/index.ts";

const lifeline = fileURLToPath(new URL("../src/lifeline.ts", import.meta.url));

/** Gone, or a zombie waiting to be reaped: either way no longer running. */
const isRunning = (pid: number) => {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
};

it("a process spawned with a lifeline dies when the process that spawned it is killed", async () => {
  // A parent that starts a long sleep through the lifeline, prints its pid and stays alive.
  const parent = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      "--input-type=module",
      "-e",
      `import { spawnWithLifeline } from ${JSON.stringify(lifeline)};
       const child = spawnWithLifeline("sleep", ["300"], { stdio: "ignore" });
       console.log(child.pid);
       setInterval(() => {}, 1000);`,
    ],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  const pid = await new Promise<number>((resolve, reject) => {
    parent.stdout!.once("data", (chunk: Buffer) => resolve(Number(chunk.toString().trim())));
    parent.once("exit", (code) => reject(new Error(`the parent exited with ${code}`)));
  });
  expect(isRunning(pid)).toBe(true);

  await signalAndWait(parent, "SIGKILL"); // no exit handler of the parent runs: only the kernel can help
  await eventually("the child to die with its parent", async () => (isRunning(pid) ? undefined : true), 5_000, 50);
});
