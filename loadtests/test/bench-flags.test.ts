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

// Each case starts tsx three times: seconds apiece on a busy machine.
describe.each(cases)("pnpm bench:$name", ({ name, file, bad }) => {
  it("prints its usage for --help, and names a bad flag or value before starting anything", {
    timeout: 180_000,
  }, async () => {
    const [help, unknown, badValue] = await Promise.all([
      bench(file, ["--help"]),
      bench(file, ["--bogus"]),
      bench(file, bad),
    ]);
    const usage = `Usage: pnpm bench:${name}`;

    expect(help.code, help.stderr).toBe(0);
    expect(help.stdout).toContain(usage);
    expect(help.stdout).toContain(bad[0]);

    expect(unknown.code).toBe(2);
    expect(unknown.stderr.split("\n")[0]).toContain("'--bogus'");
    expect(unknown.stderr).toContain(usage);
    expect(unknown.stderr).not.toMatch(stackLine);

    expect(badValue.code).toBe(2);
    // The first line names the flag and the value: nothing was started or printed before it.
    expect(badValue.stderr.split("\n")[0]).toMatch(new RegExp(`^${bad[0]} must be .*, got "${bad[1]}"$`));
    expect(badValue.stderr).toContain(usage);
    expect(badValue.stderr).not.toMatch(stackLine);
  });
});
