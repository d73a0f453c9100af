import type { Db } from "@regulars/db";
import { silentLogger } from "@regulars/logger";
import { ProgrammeCache } from "@regulars/programme";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import {
  applyTransactionBatch,
  expandOutbox,
  expirePoints,
  type OutboxItem,
  outboxBatchType,
  outboxEventsOf,
  relayUnpublished,
} from "../src/index.ts";
import { base, ledgerDeps, line, tenantWithProgramme, txMessage } from "./batch-fixtures.ts";

let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(() => db?.$disconnect());

const rowsOf = (tenantIds: string[]) =>
  db.$queryRaw<{ id: string; tenant_id: string; type: string; payload: unknown }[]>`
    SELECT id, tenant_id, type, payload FROM outbox_events WHERE tenant_id = ANY(${tenantIds}::text[]) ORDER BY id`;

it("a ledger batch commits one outbox row per tenant, baskets as references, and the relay publishes what the worker would", async () => {
  const tenants = [
    await tenantWithProgramme(db, { rules: [base], milestones: [100] }, "Outbox Burgers"),
    await tenantWithProgramme(db, { rules: [base] }, "Outbox Pizza"),
  ];
  const sales = tenants.flatMap((t, k) =>
    ["+48720000001", "+48720000002", "+48720000003"].map((phone, i) =>
      txMessage(t, { customer: { phone }, lines: [line("FEAST", 5_000 + 6_000 * i + 1_000 * k)] }),
    ),
  );
  const applied = await applyTransactionBatch(ledgerDeps(db), sales);

  // What the worker publishes right after the commit: every event whole, each under its own id.
  const published = expandOutbox(applied.outbox);
  const types = published.map((e) => e.type);
  expect(types.filter((t) => t === "transaction.processed")).toHaveLength(6);
  expect(types.filter((t) => t === "points.earned")).toHaveLength(6);
  expect(types).toContain("points.milestone");
  const processed = published.find((e) => e.type === "transaction.processed")!;
  expect(processed.payload).toMatchObject({ lines: [{ sku: "FEAST" }], points: expect.any(Number) });

  // Stored: a row per tenant, and no basket in them (the transaction holds it).
  const rows = await rowsOf(tenants);
  expect(rows.map((r) => [r.tenant_id, r.type]).sort()).toEqual(tenants.map((t) => [t, outboxBatchType]).sort());
  expect(JSON.stringify(rows)).not.toContain("FEAST");
  expect(rows.map((r) => r.id).sort()).toEqual(applied.outbox.map((o) => o.id).sort());

  // Had the worker died before publishing, the relay publishes exactly the same events.
  const relayed: OutboxItem[] = [];
  for (const tenantId of tenants) await relayUnpublished(db, 0, async (items) => void relayed.push(...items), tenantId);
  const byId = (items: OutboxItem[]) => [...items].sort((a, b) => (a.id < b.id ? -1 : 1));
  expect(byId(relayed)).toEqual(byId(published));
  expect(await db.outboxEvent.count({ where: { tenantId: { in: tenants }, publishedAt: null } })).toBe(0);
});

it("a job's pass announces what it posted in one outbox row, published as an event per movement", async () => {
  const tenant = await tenantWithProgramme(
    db,
    { rules: [base], expiry: { kind: "after_earning", months: 1 } },
    "Outbox Expiry Burgers",
  );
  const phones = ["+48720000011", "+48720000012", "+48720000013", "+48720000014"];
  await applyTransactionBatch(
    ledgerDeps(db),
    phones.map((phone) => txMessage(tenant, { customer: { phone }, lines: [line("FEAST", 10_000)] })),
  );
  await db.$executeRaw`DELETE FROM outbox_events WHERE tenant_id = ${tenant}`; // the sales' own events

  const expired = await expirePoints({
    db,
    log: silentLogger,
    tenantId: tenant,
    now: new Date(Date.now() + 62 * 86_400_000), // past the month the points were good for
    programme: (await new ProgrammeCache(db, 0).inForce(tenant, new Date()))!,
  });
  expect(expired.acted).toBe(4);
  expect((await rowsOf([tenant])).map((r) => r.type)).toEqual([outboxBatchType]);
  const events = expandOutbox(expired.outbox);
  expect(events.map((e) => e.type)).toEqual(Array(4).fill("points.expired"));
  expect(new Set(events.map((e) => (e.payload as { customerId: string }).customerId)).size).toBe(4);
  expect(await outboxEventsOf(db, tenant)).toEqual(events);
});
