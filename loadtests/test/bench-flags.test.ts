import { spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const loadtests = join(dirname(fileURLToPath(import.meta.url)), "..");
const tsx = join(loadtests, "node_modules", ".bin", "tsx");

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A bench as `pnpm bench:<name>` runs it (tsx from the loadtests folder). */
function bench(file: string, args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(tsx, [join("src", file), ...args], {
      cwd: loadtests,
      // Should a flag slip through, the bench fails at once on unreachable servers instead of starting its own.
      env: { ...process.env, DATABASE_URL: "postgres://postgres@127.0.0.1:1/none", NATS_URL: "nats://127.0.0.1:1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

const stackLine = /^ {4}at /m;

const cases = [
  { name: "analytics", file: "bench-analytics.ts", bad: ["--transactions", "abc"] },
  { name: "segments", file: "bench-segments.ts", bad: ["--customers", "abc"] },
  { name: "webhooks", file: "bench-webhooks.ts", bad: ["--concurrency", "0"] },
  { name: "campaigns", file: "bench-campaigns.ts", bad: ["--members", "abc"] },
];

// Every start of tsx loads a bench's whole import graph (seconds on a busy machine): --help and an unknown flag go
// through the one helper every bench calls (`benchFlagsOrExit`), so one bench shows them; each bench shows its values.
it("pnpm bench:analytics prints its usage for --help, and names an unknown flag before starting anything", {
  timeout: 180_000,
}, async () => {
  const [help, unknown] = await Promise.all([
    bench("bench-analytics.ts", ["--help"]),
    bench("bench-analytics.ts", ["--bogus"]),
  ]);
  const usage = "Usage: pnpm bench:analytics";
  expect(help.code, help.stderr).toBe(0);
  expect(help.stdout).toContain(usage);
  expect(help.stdout).toContain("--transactions");

  expect(unknown.code).toBe(2);
  expect(unknown.stderr.split("\n")[0]).toContain("'--bogus'");
  expect(unknown.stderr).toContain(usage);
  expect(unknown.stderr).not.toMatch(stackLine);
});

describe.each(cases)("pnpm bench:$name", ({ name, file, bad }) => {
  it("names a bad value of its flags before starting anything, with its usage", { timeout: 180_000 }, async () => {
    const badValue = await bench(file, bad);
    expect(badValue.code).toBe(2);
    // The first line names the flag and the value: nothing was started or printed before it.
    expect(badValue.stderr.split("\n")[0]).toMatch(new RegExp(`^${bad[0]} must be .*, got "${bad[1]}"$`));
    expect(badValue.stderr).toContain(`Usage: pnpm bench:${name}`);
    expect(badValue.stderr).not.toMatch(stackLine);
  });
});

// bench:ledger parsed its flags itself: -h was an unknown flag and a blank --history-weeks read as 0 (the third case
// left out without a word). It now goes through the same helper, with the flags and defaults it had.
it("pnpm bench:ledger takes -h, and names an unknown flag or a value that will not do before starting anything", {
  timeout: 180_000,
}, async () => {
  const [help, unknown, blankWeeks, runner] = await Promise.all([
    bench("bench-ledger.ts", ["-h"]),
    bench("bench-ledger.ts", ["--bogus"]),
    bench("bench-ledger.ts", ["--history-weeks", ""]),
    bench("bench-ledger.ts", ["--transactions-via", "mysql"]),
  ]);
  const usage = "Usage: pnpm bench:ledger";
  expect(help.code, help.stderr).toBe(0);
  expect(help.stdout).toContain(usage);
  for (const flag of ["--transactions <n>", "--batch <n>", "--history-weeks <n>", "--transactions-via <pg|prisma>"])
    expect(help.stdout).toContain(flag);

  const refusals = [
    [unknown, "Unknown option '--bogus'"],
    [blankWeeks, '--history-weeks must be a whole number of at least 0, got ""'],
    [runner, '--transactions-via must be pg or prisma, got "mysql"'],
  ] as const;
  for (const [run, line] of refusals) {
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr.split("\n")[0]).toContain(line);
    expect(run.stderr).toContain(usage);
    expect(run.stderr).not.toMatch(stackLine);
  }
});
