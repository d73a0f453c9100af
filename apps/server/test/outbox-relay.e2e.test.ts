import { pruneOutbox } from "@regulars/ledger-store";
import type { CreatedTenant } from "@regulars/tenancy";
import { eventually, minutesAgo, saleBody, testTenant } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { domainEvents } from "./domain-events.ts";
import { startIsolatedTestSystem } from "./system-fixture.ts";

// A relay publishes every tenant's leftovers in its database: this file has a database of its own,
// so no other test file's relay (publishing into another namespace) takes these rows.
let system: Awaited<ReturnType<typeof startIsolatedTestSystem>>;
beforeAll(async () => {
  system = await startIsolatedTestSystem({ JOBS_INTERVAL_MS: "3600000" });
});
afterAll(async () => {
  await system?.dispose();
});

const db = () => system.db;
const WEDNESDAY = minutesAgo(5);
const line = (sku: string, unitPrice: number) => ({ sku, name: sku, quantity: 1, unitPrice, discount: 0, tags: [] });

async function post(s: typeof system, tenant: CreatedTenant, body: Record<string, unknown>) {
  const res = await s.post("/v1/transactions", tenant.apiKeys.pos, body);
  expect(res.status).toBe(202);
  return s.processed(tenant.apiKeys.admin, body.externalId as string);
}

describe("the outbox relay", () => {
  it("publishes domain events a crash left committed but unpublished, rebuilding transaction.processed from the stored transaction", async () => {
    const tenant = await testTenant(db(), "Relay Burgers");
    const tx = await post(
      system,
      tenant,
      saleBody({ occurredAt: WEDNESDAY, customer: { phone: "+48604000001" }, lines: [line("MEAL", 1000)] }),
    );
    // As if the worker died after its commit and before publishing: unpublished rows, older than the grace period.
    const lost = {
      type: "points.expiring",
      id: `expiring:lost:${tx.id}`,
      tenantId: tenant.tenantId,
      customerId: tx.customerId,
      occurredAt: new Date().toISOString(),
      points: 10,
      expiresAt: new Date(Date.now() + 14 * 86_400_000).toISOString(),
    };
    await db().outboxEvent.create({
      data: {
        id: lost.id,
        tenantId: tenant.tenantId,
        type: lost.type,
        payload: lost,
        createdAt: new Date(Date.now() - 60_000),
      },
    });
    await db().outboxEvent.create({
      data: {
        id: `processed:again:${tx.id}`,
        tenantId: tenant.tenantId,
        type: "transaction.processed",
        payload: { ref: tx.id },
        createdAt: new Date(Date.now() - 60_000),
      },
    });

    const relayed = await eventually(
      "relayed events",
      async () => {
        const expiring = (await domainEvents(system.bus, "points.expiring")).find((e) => e.id === lost.id);
        // The relayed copy is a second message (its own outbox id) carrying the rebuilt event.
        const processed = (await domainEvents(system.bus, "transaction.processed")).filter(
          (e) => e.transactionId === tx.id,
        );
        return expiring && processed.length === 2 ? { expiring, processed: processed[1] } : undefined;
      },
      20_000,
    );
    expect(relayed.expiring).toEqual(lost);
    expect(relayed.processed).toMatchObject({
      id: `processed:${tx.id}`,
      transactionId: tx.id,
      customerId: tx.customerId,
      total: 1000,
      points: 10,
      lines: [expect.objectContaining({ sku: "MEAL", amount: 1000 })],
    });
    expect(
      await db().outboxEvent.count({ where: { id: { in: [lost.id, `processed:again:${tx.id}`] }, publishedAt: null } }),
    ).toBe(0);
  });
});

describe("outbox retention", () => {
  it("the scheduled pass deletes published events after a week and keeps unpublished ones", async () => {
    const tenant = await testTenant(db(), "Retention Burgers");
    const old = new Date("2026-01-01T00:00:00Z");
    const base = { tenantId: tenant.tenantId, type: "points.expiring", payload: {}, createdAt: old };
    await db().outboxEvent.createMany({
      data: [
        { ...base, id: `ret:published-old:${tenant.tenantId}`, publishedAt: old },
        { ...base, id: `ret:published-recent:${tenant.tenantId}`, publishedAt: new Date("2026-01-06T00:00:00Z") },
      ],
    });
    const other = await testTenant(db(), "Other Retention Burgers");
    await db().outboxEvent.create({
      data: { ...base, tenantId: other.tenantId, id: `ret:other:${other.tenantId}`, publishedAt: old },
    });
    // A pass limited to some tenants prunes only theirs (tests share a database; a pass run for them must not touch others).
    expect(await pruneOutbox(db(), new Date("2026-01-10T00:00:00Z"), { tenantIds: [tenant.tenantId] })).toBe(1);
    expect(await db().outboxEvent.count({ where: { tenantId: other.tenantId } })).toBe(1);
    const left = await db().outboxEvent.findMany({ where: { tenantId: tenant.tenantId }, select: { id: true } });
    expect(left.map((r) => r.id)).toEqual([`ret:published-recent:${tenant.tenantId}`]);
  });
});
