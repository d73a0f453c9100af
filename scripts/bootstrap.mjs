#!/usr/bin/env node
// `npm start` and `npm test` on a fresh clone: make sure the pinned pnpm and the dependencies are
// there (installing them when missing), generate the Prisma client, then hand over. Plain Node with
// no dependencies, because it runs before anything is installed.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync, rmSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const pnpmVersion = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).packageManager.split("@")[1];
const say = (msg) => process.stderr.write(`\x1b[36m›\x1b[0m ${msg}\n`);

const [command, ...rest] = process.argv.slice(2);

/** The last line `npm test` prints, whatever happens: CI reads it, not vitest's own summary. */
const finish = (summary, code) => {
  if (command === "test") process.stdout.write(`\n${summary}\n`);
  process.exit(code);
};

function run(cmd, args, opts = {}) {
  const result = spawnSync(cmd, args, {
    cwd: root,
    stdio: "inherit",
    env: { ...process.env, TURBO_TELEMETRY_DISABLED: "1" },
    ...opts,
  });
  if (result.status !== 0) {
    say(`${cmd} ${args.join(" ")} failed (exit ${result.status ?? result.signal})`);
    finish("0 passed, 1 failed", result.status || 1);
  }
}

function pnpmCommand() {
  const found = spawnSync("pnpm", ["--version"], { encoding: "utf8" });
  if (found.status === 0 && found.stdout.trim() === pnpmVersion) return ["pnpm"];
  say(`installing pnpm ${pnpmVersion} (found ${found.status === 0 ? found.stdout.trim() : "none"})`);
  const global = spawnSync("npm", ["install", "-g", `pnpm@${pnpmVersion}`], { stdio: "inherit" });
  if (global.status === 0) return ["pnpm"];
  say("global install not permitted; using npx");
  return ["npx", "-y", `pnpm@${pnpmVersion}`];
}

const newer = (a, b) => !existsSync(b) || statSync(a).mtimeMs > statSync(b).mtimeMs;

const [pnpm, ...pnpmArgs] = pnpmCommand();
const pnpmRun = (...args) => run(pnpm, [...pnpmArgs, ...args]);

if (newer(join(root, "pnpm-lock.yaml"), join(root, "node_modules/.modules.yaml"))) {
  say("installing dependencies (first run takes a few minutes: chdb is an embedded ClickHouse of ~550 MB)");
  pnpmRun("install", "--frozen-lockfile");
}
if (newer(join(root, "packages/db/prisma/schema.prisma"), join(root, "packages/db/src/generated/prisma/client.ts"))) {
  say("generating the Prisma client");
  pnpmRun("--silent", "db:generate");
}

if (command === "start" || command === "test") {
  say("building the admin and kiosk web apps");
  pnpmRun("--silent", "build:web");
}

if (command === "start") {
  // The server runs as a direct child (no pnpm or tsx launcher in between, each of which handles Ctrl-C its
  // own way and may exit first): this process only passes a signal on and ends when the server has ended,
  // with its exit code, so the prompt returns only after Postgres and NATS have stopped.
  // A 64 MB young generation: the roles allocate per request and per message, and with V8's default the
  // scavenger took a sixth of the gateway's CPU (see docs/architecture.md, "Node flags").
  const child = spawn(
    process.execPath,
    ["--max-semi-space-size=64", "--import", "tsx", "apps/server/src/main.ts", ...rest],
    {
      cwd: root,
      stdio: "inherit",
    },
  );
  for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));
  child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
} else if (command === "test") {
  say("type-checking every package");
  pnpmRun("--silent", "typecheck");
  say("checking format and lint (biome; `pnpm format` fixes what it can)");
  pnpmRun("--silent", "lint");
  say("running the test suite against real Postgres, NATS JetStream and ClickHouse (chdb)");
  const report = join(root, ".vitest-report.json");
  rmSync(report, { force: true }); // a report left by an earlier run must not stand in for this one
  const result = spawnSync(
    pnpm,
    [
      ...pnpmArgs,
      "exec",
      "vitest",
      "run",
      "--reporter=default",
      "--reporter=json",
      `--outputFile.json=${report}`,
      ...rest,
    ],
    { cwd: root, stdio: "inherit" },
  );
  let summary = "0 passed, 1 failed";
  if (existsSync(report)) {
    const r = JSON.parse(readFileSync(report, "utf8"));
    // Files that failed to load count as failures too: a broken suite must not read as green.
    let failed = r.numFailedTests + (r.numFailedTestSuites && !r.numFailedTests ? r.numFailedTestSuites : 0);
    if (r.numPendingTests) say(`${r.numPendingTests} tests skipped`);
    // Vitest exits non-zero on unhandled errors even when every test passed: the summary must say so too.
    if (result.status !== 0 && failed === 0) {
      say("vitest reported errors outside the tests (unhandled rejections or exceptions): counted as one failure");
      failed = 1;
    }
    summary = `${r.numPassedTests} passed, ${failed} failed`;
  }
  finish(summary, result.status ?? 1);
} else {
  say("usage: node scripts/bootstrap.mjs start|test [args]");
  process.exit(2);
}
