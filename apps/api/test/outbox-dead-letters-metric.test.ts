import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
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
import { startApiRole } from "../src/role.ts";

// The API's mutations publish what they committed through the outbox flusher. An event NATS refuses for good is
// dead-lettered there as on the workers, and must be counted on the same metric an SRE alerts on.

const dataDir = mkdtempSync(join(tmpdir(), "regulars-api-dlq-metric-"));
let api: RunningRoles;

beforeAll(async () => {
  const config = loadConfig({
    DATABASE_URL: testDatabaseUrl(),
    NATS_URL: testNatsUrl(),
    REGULARS_NAMESPACE: uniqueNamespace(),
    REGULARS_DATA_DIR: dataDir,
    API_PORT: "0",
    CREDENTIAL_CACHE_TTL_MS: "0",
  });
  api = await startRoles(config, createLogger({ level: "silent" }), { api: startApiRole });
});
afterAll(async () => {
  const bus = api?.ctx.bus;
  if (bus) await deleteStreams(bus);
  await api?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

/** The value of `regulars_dead_letters_total` for these labels on the process's /metrics, 0 when absent. */
async function deadLetters(labels: string): Promise<number> {
  const text = await (await fetch(`${api.urls.api}/metrics`)).text();
  const line = text.split("\n").find((l) => l.startsWith("regulars_dead_letters_total{") && l.includes(labels));
  return line ? Number(line.split(" ").at(-1)) : 0;
}

it("counts an outbox event NATS refused for good in regulars_dead_letters_total", async () => {
  const { db, bus } = api.ctx;
  const tenant = await testTenant(db, "Refused Events API");
  const labels = 'consumer="outbox",category="rejected"';
  const before = await deadLetters(labels);
  // Committed earlier and still unpublished, above the server's max_payload: the client refuses to send it.
  const id = `api-refused:${tenant.tenantId}`;
  const filler = "r".repeat(bus.nc.info!.max_payload + 1024);
  // As a procedure's transaction writes it (the API has no ledger-store of its own to call).
  await db.$executeRaw`
    INSERT INTO outbox_events (id, tenant_id, type, payload)
    VALUES (${id}, ${tenant.tenantId}, 'coupon.issued', ${JSON.stringify({ id, filler })}::jsonb)`;

  // A mutation that succeeds hands the tenant to the flusher.
  const mutated = await fetch(`${api.urls.api}/trpc/tenants.setLanguage`, {
    method: "POST",
    headers: { authorization: `Bearer ${tenant.apiKeys.admin}`, "content-type": "application/json" },
    body: JSON.stringify({ language: "pl" }),
  });
  expect(mutated.status).toBe(200);

  await eventually("the refused event's row marked done", async () => {
    const [row] = await db.$queryRaw<{ published_at: Date | null }[]>`
      SELECT published_at FROM outbox_events WHERE id = ${id}`;
    return row?.published_at ? true : undefined;
  });
  expect(await deadLetters(labels)).toBe(before + 1);
  expect(await deadLetters('role="api"')).toBe(before + 1);
  await db.$executeRaw`DELETE FROM outbox_events WHERE id = ${id}`;
});
