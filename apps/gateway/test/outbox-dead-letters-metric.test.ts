import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeOutbox } from "@regulars/ledger-store";
import { createLogger } from "@regulars/logger";
import { loadConfig, type RunningRoles, startRoles } from "@regulars/runtime";
import {
  deleteStreams,
  eventually,
  testDatabaseUrl,
  testNatsUrl,
  testTenant,
  uniqueNamespace,
} from "@regulars/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startGatewayRole } from "../src/role.ts";

// The gateway's customer routes publish what they committed through the outbox flusher. An event NATS refuses for
// good is dead-lettered there as on the workers, and must be counted on the same metric an SRE alerts on.

const dataDir = mkdtempSync(join(tmpdir(), "regulars-gateway-dlq-metric-"));
let gateway: RunningRoles;

beforeAll(async () => {
  const config = loadConfig({
    DATABASE_URL: testDatabaseUrl(),
    NATS_URL: testNatsUrl(),
    REGULARS_NAMESPACE: uniqueNamespace(),
    REGULARS_DATA_DIR: dataDir,
    GATEWAY_PORT: "0",
    CREDENTIAL_CACHE_TTL_MS: "0",
  });
  gateway = await startRoles(config, createLogger({ level: "silent" }), { gateway: startGatewayRole });
});
afterAll(async () => {
  const bus = gateway?.ctx.bus;
  if (bus) await deleteStreams(bus);
  await gateway?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

/** The value of `regulars_dead_letters_total` for these labels on the process's /metrics, 0 when absent. */
async function deadLetters(labels: string): Promise<number> {
  const text = await (await fetch(`${gateway.urls.gateway}/metrics`)).text();
  const line = text.split("\n").find((l) => l.startsWith("regulars_dead_letters_total{") && l.includes(labels));
  return line ? Number(line.split(" ").at(-1)) : 0;
}

it("counts an outbox event NATS refused for good in regulars_dead_letters_total", async () => {
  const { db, bus } = gateway.ctx;
  const tenant = await testTenant(db, "Refused Events Gateway");
  const labels = 'consumer="outbox",category="rejected"';
  const before = await deadLetters(labels);
  // Committed earlier and still unpublished, above the server's max_payload: the client refuses to send it.
  const id = `gateway-refused:${tenant.tenantId}`;
  const filler = "r".repeat(bus.nc.info!.max_payload + 1024);
  await db.$transaction((tx) =>
    writeOutbox(tx, [{ id, tenantId: tenant.tenantId, type: "coupon.issued", payload: { id, filler } }]),
  );

  // A customer route that changes something hands the tenant to the flusher.
  const registered = await fetch(`${gateway.urls.gateway}/v1/customers`, {
    method: "POST",
    headers: { authorization: `Bearer ${tenant.apiKeys.app}`, "content-type": "application/json" },
    body: JSON.stringify({ externalIdentity: { provider: "apple", subject: `001.${tenant.tenantId}` } }),
  });
  expect(registered.status).toBe(201);

  await eventually("the refused event's row marked done", async () => {
    const [row] = await db.$queryRaw<{ published_at: Date | null }[]>`
      SELECT published_at FROM outbox_events WHERE id = ${id}`;
    return row?.published_at ? true : undefined;
  });
  expect(await deadLetters(labels)).toBe(before + 1);
  expect(await deadLetters('role="gateway"')).toBe(before + 1);
  await db.$executeRaw`DELETE FROM outbox_events WHERE id = ${id}`;
});
