import { mkdtempSync } from "node:fs";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRegularsClient, type RegularsClient } from "@regulars/api-client";
import { connectBus } from "@regulars/bus";
import { createDb, type Db, migrateDatabase } from "@regulars/db";
import { createLogger } from "@regulars/logger";
import { loadConfig, type Role } from "@regulars/runtime";
import { deleteStreams, eventually, testDatabaseUrl, testNatsUrl, uniqueNamespace } from "@regulars/testing";
import { type RunningSystem, startSystem } from "../src/system.ts";
import { ledgerStanding } from "./ledger-standing.ts";

type TransactionRecord = Awaited<ReturnType<RegularsClient["transactions"]["get"]["query"]>>;
export type ProcessedTransaction = Extract<TransactionRecord, { status: "processed"; lines: unknown }>;

export interface TestSystem extends RunningSystem {
  namespace: string;
  post(
    path: string,
    key: string | null,
    body: unknown,
    headers?: Record<string, string>,
  ): Promise<{ status: number; body: any }>;
  client(key: string): RegularsClient;
  /** Waits until the transaction is processed (fails at once if it is rejected) and returns its record. */
  processed(key: string, externalId: string): Promise<ProcessedTransaction>;
  dispose(): Promise<void>;
}

/** The real system (gateway, workers, API) in this process, on random ports, over the run's real services. */
export async function startTestSystem(
  env: Record<string, string> = {},
  roles: Role[] = ["gateway", "workers", "api"],
): Promise<TestSystem> {
  const dataDir = mkdtempSync(join(tmpdir(), "regulars-test-system-"));
  const namespace = uniqueNamespace();
  const config = loadConfig({
    DATABASE_URL: testDatabaseUrl(),
    NATS_URL: testNatsUrl(),
    REGULARS_NAMESPACE: namespace,
    REGULARS_DATA_DIR: dataDir,
    REGULARS_DEMO: "off",
    GATEWAY_PORT: "0",
    API_PORT: "0",
    WORKERS_PORT: "0",
    MAX_DELIVER: "3",
    ACK_WAIT_MS: "2000",
    CREDENTIAL_CACHE_TTL_MS: "0",
    // Without the campaign runner and the message sender: they work on every tenant of the database, and test
    // systems share one, so they would run other test files' campaign steps and messages. Campaign tests name them.
    WORKERS: "ledger,events,analytics,profiles,jobs,webhooks",
    ...env,
  });
  // The system's warnings are kept (the last 50 lines) and attached to a transaction that never gets processed;
  // TEST_LOG_LEVEL prints the logs instead.
  const warnings: string[] = [];
  const log = process.env.TEST_LOG_LEVEL
    ? createLogger({ level: process.env.TEST_LOG_LEVEL })
    : createLogger({
        level: "warn",
        destination: {
          write: (line: string) => {
            warnings.push(line);
            if (warnings.length > 50) warnings.shift();
          },
        },
      });
  const system = await startSystem(config, roles, log);
  /** Where the ledger stands when a transaction is overdue: its partitions, the stream, the warnings. */
  const ledgerState = async () => {
    const db = createDb({ url: config.DATABASE_URL!, poolSize: 1 });
    const bus = await connectBus({ url: config.NATS_URL!, namespace });
    try {
      return `${await ledgerStanding(db, bus)}\nlast warnings:\n${warnings.join("") || "(none)"}`;
    } finally {
      await db.$disconnect();
      await bus.close();
    }
  };
  return {
    ...system,
    namespace,
    async post(path, key, body, headers = {}) {
      const res = await fetch(`${system.gatewayUrl}${path}`, {
        method: "POST",
        headers: { "content-type": "application/json", ...(key ? { authorization: `Bearer ${key}` } : {}), ...headers },
        body: typeof body === "string" ? body : JSON.stringify(body),
      });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {}
      return { status: res.status, body: parsed };
    },
    client: (key) => createRegularsClient({ url: `${system.apiUrl}/trpc`, apiKey: key }),
    async processed(key, externalId) {
      const client = createRegularsClient({ url: `${system.apiUrl}/trpc`, apiKey: key });
      let last = "nothing known";
      // Generous (a busy machine running many suites at once lags by seconds), yet inside the test's own 60 s, so
      // that an overdue transaction fails with the ledger's state rather than as a bare test timeout.
      const settled = await eventually(
        `${externalId} processed`,
        async () => {
          const status = await client.transactions.get.query({ externalId });
          last = status.status;
          return status.status === "processed" || status.status === "rejected" ? status : undefined;
        },
        45_000,
      ).catch(async (e: Error) => {
        const state = await ledgerState().catch(
          (why: Error) => `(the ledger's state could not be read: ${why.message})`,
        );
        throw new Error(`${e.message}; its status stayed "${last}"\n${state}`);
      });
      if (settled.status === "rejected")
        throw new Error(`${externalId} was rejected: ${settled.reason.code}: ${settled.reason.message}`);
      return settled as ProcessedTransaction;
    },
    async dispose() {
      await system.stop();
      const bus = await connectBus({ url: testNatsUrl(), namespace });
      await deleteStreams(bus);
      await bus.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * A system over a database of its own, for tests whose background work (schedulers, outbox relays)
 * acts on every tenant of a database: other test files share the run's database. `db` points at it.
 */
export async function startIsolatedTestSystem(
  env: Record<string, string> = {},
): Promise<TestSystem & { db: Db; databaseUrl: string }> {
  const admin = createDb({ url: testDatabaseUrl(), poolSize: 1 });
  const name = `regulars_iso_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  await admin.$executeRawUnsafe(`CREATE DATABASE ${name}`);
  const url = new URL(testDatabaseUrl());
  url.pathname = `/${name}`;
  await migrateDatabase(url.toString());
  const system = await startTestSystem({ ...env, DATABASE_URL: url.toString() });
  const db = createDb({ url: url.toString(), poolSize: 6 });
  return {
    ...system,
    db,
    databaseUrl: url.toString(),
    async dispose() {
      await system.dispose();
      await db.$disconnect();
      await admin.$executeRawUnsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.$disconnect();
    },
  };
}
