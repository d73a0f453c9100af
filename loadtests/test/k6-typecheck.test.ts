import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const repoRoot = fileURLToPath(new URL("../../", import.meta.url));
// The workspace's TypeScript 7 native compiler, not whatever `tsc` is on PATH.
const tsc = fileURLToPath(new URL("../../node_modules/.bin/tsc", import.meta.url));

describe("k6 scenario", () => {
  // k6 cannot be installed here: type-checking against @types/k6, without Node types and with ES2020 only,
  // is what keeps the scenario (and the basket generator it shares with the bench) runnable by k6.
  it("type-checks against @types/k6 with no Node types", () => {
    const result = spawnSync(tsc, ["--noEmit", "-p", "loadtests/k6"], {
      cwd: repoRoot,
      encoding: "utf8",
      timeout: 120_000,
    });
    expect(result.error).toBeUndefined();
    expect(result.status, `${result.stdout}${result.stderr}`).toBe(0);
  }, 130_000);
});
