import { readFileSync } from "node:fs";
import { createDb, type Db } from "@regulars/db";
import { eventually, saleBody, testDatabaseUrl, testTenant } from "@regulars/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { deadLetterCount } from "./outage-fixture.ts";
import { startTestSystem, type TestSystem } from "./system-fixture.ts";

// What the Grafana dashboard in infra/grafana reads: every series it charts must be on /metrics.

let system: TestSystem;
let db: Db;

beforeAll(async () => {
  system = await startTestSystem({ WORKERS: "ledger,events,analytics" });
  db = createDb({ url: testDatabaseUrl(), poolSize: 2 });
});
afterAll(async () => {
  await system?.dispose();
  await db?.$disconnect();
});

/** The value of one series, e.g. `regulars_consumer_paused{consumer="ledger"}`, or undefined when absent. */
function sample(metrics: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of metrics.split("\n")) {
    const match = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    if (Object.entries(labels).every(([k, v]) => (match[2] ?? "").includes(`${k}="${v}"`))) return Number(match[3]);
  }
  return undefined;
}

it("exposes consumer backlogs, pauses, dead letters by category, the outbox backlog, apply latency and process resources", {
  timeout: 60_000,
}, async () => {
  const tenant = await testTenant(db, "Metrics Burgers");
  const sale = saleBody({ customer: { phone: "+48603000111" } });
  expect((await system.post("/v1/transactions", tenant.apiKeys.pos, sale)).status).toBe(202);
  // A customer id that exists nowhere: the ledger rejects the sale and dead-letters it.
  expect(
    (await system.post("/v1/transactions", tenant.apiKeys.pos, saleBody({ customer: { id: "cus_nobodyatall00" } })))
      .status,
  ).toBe(202);
  await eventually("the rejected sale dead-lettered", async () =>
    (await deadLetterCount(system)) === 1 ? true : undefined,
  );
  // The two sales are of different customers, so of different partitions: the rejection says nothing of the sale.
  await system.processed(tenant.apiKeys.admin, sale.externalId);

  const transactions = `${system.namespace.toUpperCase()}_TX`;
  const metrics = await eventually("backlogs sampled", async () => {
    const text = await (await fetch(`${system.workersUrl}/metrics`)).text();
    // The apply latency is observed just after the commit that the API's "processed" reads.
    return sample(text, "regulars_consumer_pending", { consumer: "ledger" }) === 0 &&
      sample(text, "regulars_outbox_backlog") !== undefined &&
      sample(text, "regulars_stream_messages", { stream: transactions }) === 2 &&
      // Sampled every few seconds like the backlogs: the dead letter stored above may not be in the last sample yet.
      sample(text, "regulars_stream_messages", { stream: `${system.namespace.toUpperCase()}_DLQ` }) === 1 &&
      (sample(text, "regulars_transaction_applied_seconds_count") ?? 0) >= 1
      ? text
      : undefined;
  });

  for (const consumer of ["ledger", "event-resolver", "analytics-writer"]) {
    expect(sample(metrics, "regulars_consumer_pending", { consumer }), consumer).toBeGreaterThanOrEqual(0);
    expect(sample(metrics, "regulars_consumer_ack_pending", { consumer }), consumer).toBeGreaterThanOrEqual(0);
    expect(sample(metrics, "regulars_consumer_paused", { consumer }), consumer).toBe(0);
  }
  expect(sample(metrics, "regulars_dead_letters_total", { consumer: "ledger", category: "rejected" })).toBe(1);
  expect(sample(metrics, "regulars_outbox_backlog")).toBeGreaterThanOrEqual(0);
  expect(sample(metrics, "regulars_transaction_applied_seconds_count")).toBeGreaterThanOrEqual(1);
  expect(sample(metrics, "regulars_transaction_applied_seconds_bucket", { le: "+Inf" })).toBeGreaterThanOrEqual(1);
  expect(
    sample(metrics, "regulars_messages_processed_total", { consumer: "ledger", outcome: "done" }),
  ).toBeGreaterThanOrEqual(1);
  expect(sample(metrics, "regulars_batch_seconds_count", { consumer: "ledger" })).toBeGreaterThanOrEqual(1);
  expect(sample(metrics, "regulars_ledger_partitions_held", {})).toBe(16); // the only ledger worker holds them all
  // What each stream holds: the two sales on the transactions stream, just stored (not a week old).
  expect(sample(metrics, "regulars_stream_messages", { stream: transactions })).toBe(2);
  expect(sample(metrics, "regulars_stream_bytes", { stream: transactions })).toBeGreaterThan(500);
  expect(sample(metrics, "regulars_stream_oldest_seconds", { stream: transactions })).toBeLessThan(3_600);
  expect(sample(metrics, "regulars_stream_messages", { stream: `${system.namespace.toUpperCase()}_DLQ` })).toBe(1);
  expect(sample(metrics, "process_resident_memory_bytes")).toBeGreaterThan(0);
  expect(sample(metrics, "process_cpu_seconds_total")).toBeGreaterThan(0);
  // The gateway's latency histogram lives on the same registry in an all-in-one process.
  expect(
    sample(metrics, "regulars_gateway_request_seconds_count", { route: "/v1/transactions" }),
  ).toBeGreaterThanOrEqual(2);
});

it("charts on the Grafana dashboard only series the processes expose", { timeout: 60_000 }, async () => {
  const dashboard = JSON.parse(
    readFileSync(new URL("../../../infra/grafana/regulars.json", import.meta.url), "utf8"),
  ) as { panels: { targets?: { expr: string }[] }[] };
  const exprs = dashboard.panels.flatMap((p) => p.targets ?? []).map((t) => t.expr);
  const charted = new Set(
    exprs.flatMap((e) =>
      [...e.matchAll(/\b((?:regulars|process|nodejs)_[a-z0-9_]+)\b/g)].map((m) =>
        m[1]!.replace(/_(bucket|count|sum)$/, ""),
      ),
    ),
  );
  const tenant = await testTenant(db, "Dashboard Burgers");
  await system.client(tenant.apiKeys.admin).tenants.me.query(); // the API's histogram has a series once a procedure ran
  const exposed = new Set<string>();
  for (const url of [system.gatewayUrl, system.apiUrl, system.workersUrl]) {
    for (const line of (await (await fetch(`${url}/metrics`)).text()).split("\n"))
      if (line.startsWith("# TYPE ")) exposed.add(line.split(" ")[2]!);
  }
  // Counted by the scheduler from its first pass on (its own tests cover it); no pass runs here.
  const afterFirstScheduledPass = ["regulars_job_runs_total"];
  expect([...charted].filter((name) => !exposed.has(name) && !afterFirstScheduledPass.includes(name))).toEqual([]);
  expect(charted.size).toBeGreaterThan(12);
});
