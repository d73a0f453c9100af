import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLogger } from "@regulars/logger";
import { loadConfig, type RunningRoles, startRoles } from "@regulars/runtime";
import { deleteStreams, testDatabaseUrl, testNatsUrl, uniqueNamespace } from "@regulars/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startGatewayRole } from "../src/role.ts";

// Every posted transaction is looked up through the gateway's reader before it is admitted. A look-up that had to
// open its connection waited on the connect, bounded at 2 s of wall time: on a machine busy with the start, the
// first sales after it were refused 503 while Postgres was fine. The reader's connections are opened at start.

const dataDir = mkdtempSync(join(tmpdir(), "regulars-gateway-reader-"));
const namespace = uniqueNamespace();
let gateway: RunningRoles;

beforeAll(async () => {
  const config = loadConfig({
    DATABASE_URL: testDatabaseUrl(),
    NATS_URL: testNatsUrl(),
    REGULARS_NAMESPACE: namespace,
    REGULARS_DATA_DIR: dataDir,
    GATEWAY_PORT: "0",
  });
  gateway = await startRoles(config, createLogger({ level: "silent" }), { gateway: startGatewayRole });
});
afterAll(async () => {
  const bus = gateway?.ctx.bus;
  if (bus) await deleteStreams(bus);
  await gateway?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const connections = async (pool: string) => {
  const rows = await gateway.ctx.db.$queryRaw<{ n: bigint }[]>`
    SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = ${`${namespace}-gateway-${pool}`}`;
  return Number(rows[0]!.n);
};

it("holds its readers' connections open before it answers its first request", async () => {
  expect(await connections("reader")).toBe(4);
  expect(await connections("lookups")).toBe(2);
  // The guessing throttles' counts, written by every quote naming its customer by phone or carrying codes.
  expect(await connections("miss-counts")).toBe(2);
});
