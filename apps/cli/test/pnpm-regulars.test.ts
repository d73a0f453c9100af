import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";

// `pnpm regulars …` from the repository root, exactly as the README tells operators to type it.

const root = fileURLToPath(new URL("../../..", import.meta.url));

function pnpmRegulars(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn("pnpm", ["regulars", ...args], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
    });
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
    });
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, stdout, stderr }));
  });
}

it("prints only the command's own output, with no echoed command line before it", async () => {
  const run = await pnpmRegulars("--help");
  expect(run.stderr).toBe("");
  expect(run.stdout).toMatch(/^Usage: regulars /);
  expect(run.code).toBe(0);
});

it("passes the command's failure on as the exit status", async () => {
  const run = await pnpmRegulars("no-such-command");
  expect(run.stderr).toMatch(/^error: unknown command 'no-such-command'/);
  expect(run.code).toBe(1);
});
