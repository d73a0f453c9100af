import { mkdtempSync } from "node:fs";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLogger } from "@regulars/logger";
import { afterAll, expect, it } from "vitest";
import { loadConfig } from "../src/config.ts";
import { connectDependencies } from "../src/dependencies.ts";

// Port 1 on the loopback: nothing listens there, so the connection is refused at once.

const dataDir = mkdtempSync(join(tmpdir(), "regulars-start-up-"));
afterAll(() => rm(dataDir, { recursive: true, force: true }));

it("a Postgres that refuses at start-up is named with its address, without the credentials", async () => {
  const config = loadConfig({
    DATABASE_URL: "postgres://regulars:s3cret@127.0.0.1:1/regulars",
    NATS_URL: "nats://127.0.0.1:1",
    REGULARS_DATA_DIR: dataDir,
  });
  const failure = await connectDependencies(config, dataDir, createLogger({ level: "silent" }), false).then(
    () => null,
    (e: Error) => e,
  );
  expect(failure?.message).toMatch(/^Postgres at postgres:\/\/127\.0\.0\.1:1\/regulars is unreachable: /);
  expect(failure?.message).not.toContain("s3cret");
});
