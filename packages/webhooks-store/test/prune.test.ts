import { type Db, type Prisma, withTransaction } from "@regulars/db";
import { testDb, testTenant } from "@regulars/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { pruneStatements } from "../src/deliveries.ts";
import {
  createEndpoint,
  deliveredRetentionMs,
  enqueueDeliveries,
  failedRetentionMs,
  pruneDeliveries,
} from "../src/index.ts";

// Pruning reads only what it deletes, through partial indexes (it once read the whole table every hour), deletes
// a slice at a time, and lets failed deliveries (copies of events, personal data included) go after a month.

let db: Db;
const local = { allowPrivateNetworks: true };
const day = 86_400_000;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

interface PlanNode {
  "Node Type": string;
  "Index Name"?: string;
  Plans?: PlanNode[];
}
const nodesOf = (node: PlanNode): PlanNode[] => [node, ...(node.Plans ?? []).flatMap(nodesOf)];

/** With sequential scans off: whether an index can answer the statement at all (the test table is small). */
async function planOf(statement: Prisma.Sql): Promise<PlanNode[]> {
  return withTransaction(db, async (tx) => {
    await tx.$executeRawUnsafe("SET LOCAL enable_seqscan = off");
    const [row] = await tx.$queryRawUnsafe<{ "QUERY PLAN": [{ Plan: PlanNode }] }[]>(
      `EXPLAIN (FORMAT JSON) ${statement.text}`,
      ...statement.values,
    );
    return nodesOf(row!["QUERY PLAN"][0].Plan);
  });
}

it("prunes delivered and failed deliveries through their partial indexes, not by reading the whole table", async () => {
  const [delivered, failed] = pruneStatements(new Date(), null);
  for (const [statement, index] of [
    [delivered!, "webhook_deliveries_delivered_idx"],
    [failed!, "webhook_deliveries_failed_idx"],
  ] as const) {
    const nodes = await planOf(statement);
    expect(nodes.filter((n) => n["Node Type"] === "Seq Scan")).toEqual([]);
    expect(nodes.flatMap((n) => (n["Index Name"] ? [n["Index Name"]] : []))).toContain(index);
  }
});

it("deletes delivered ones after a week and failed ones a month after their last attempt, a slice at a time", async () => {
  const { tenantId } = await testTenant(db, "Pruned Grill");
  const { endpoint } = await createEndpoint(
    db,
    tenantId,
    { url: "http://127.0.0.1:1/p", eventTypes: ["*"] },
    "k",
    local,
  );
  const now = new Date();
  const ago = (ms: number) => new Date(now.getTime() - ms);
  const rows: [string, Prisma.WebhookDeliveryUpdateManyMutationInput, Date][] = [
    ["delivered-old", { status: "delivered", deliveredAt: ago(deliveredRetentionMs + day) }, ago(60 * day)],
    ["delivered-old2", { status: "delivered", deliveredAt: ago(deliveredRetentionMs + 1) }, ago(60 * day)],
    ["delivered-new", { status: "delivered", deliveredAt: ago(deliveredRetentionMs - day) }, ago(60 * day)],
    ["failed-old", { status: "failed", lastAttemptAt: ago(failedRetentionMs + day) }, ago(60 * day)],
    ["failed-new", { status: "failed", lastAttemptAt: ago(failedRetentionMs - day) }, ago(60 * day)],
    ["failed-unsent-old", { status: "failed" }, ago(failedRetentionMs + day)],
    ["failed-unsent-new", { status: "failed" }, ago(failedRetentionMs - day)],
    ["pending-old", {}, ago(60 * day)],
  ];
  for (const [id, data, createdAt] of rows) {
    const event = { type: "points.earned", id, tenantId, occurredAt: createdAt.toISOString() };
    await enqueueDeliveries(db, [event], createdAt);
    await db.webhookDelivery.updateMany({ where: { endpointId: endpoint.id, eventId: id }, data });
  }
  // Only this tenant's (other test files share the database); a slice of one row at a time.
  expect(await pruneDeliveries(db, now, { tenantIds: [tenantId], slice: 1 })).toBe(4);
  const left = await db.webhookDelivery.findMany({ where: { tenantId }, orderBy: { eventId: "asc" } });
  expect(left.map((d) => d.eventId)).toEqual(["delivered-new", "failed-new", "failed-unsent-new", "pending-old"]);
  expect(await pruneDeliveries(db, now, { tenantIds: [tenantId] })).toBe(0);
});
