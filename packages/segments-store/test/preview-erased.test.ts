import { SegmentDefinition } from "@regulars/contracts";
import { ulid } from "@regulars/ids";
import { testAnalytics, testDb, testTenant } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSegment, materialiseSegment, previewSegment } from "../src/index.ts";
import { addCustomer, ago } from "./fixtures.ts";
import { buildWorld } from "./world.ts";

// ClickHouse's part of an erasure finishes after Postgres's (finish-erasures): until then the erased customers'
// rows are still in ClickHouse's `customers`, and a preview must not count what a refresh would not store.

const db = testDb();
let analytics: Awaited<ReturnType<typeof testAnalytics>>;
const timezone = "Europe/Warsaw";
const now = new Date(Date.now() - 3_600_000);

beforeAll(async () => {
  analytics = await testAnalytics();
});
afterAll(async () => {
  await analytics?.dispose();
  await db.$disconnect();
});

const noEmail = {
  kind: "definition" as const,
  definition: SegmentDefinition.parse({ all: [{ type: "has_field", field: "email", present: false }] }),
};

/** Postgres's part of an erasure done, ClickHouse's pending: what erasePostgres leaves when ClickHouse is away. */
async function erasedInPostgresOnly(tenantId: string, customerIds: string[], requestFor: string[]) {
  await db.customer.updateMany({ where: { tenantId, id: { in: customerIds } }, data: { erasedAt: now } });
  await db.erasureRequest.createMany({
    data: requestFor.map((customerId) => ({
      id: `era_${ulid()}`,
      tenantId,
      customerId,
      requestedBy: "test",
      reason: "request",
      requestedAt: now,
      postgresDoneAt: now,
      pseudonym: `pse_${customerId}`,
    })),
  });
}

describe("a live preview with erasures whose ClickHouse part is pending", () => {
  it("counts what a refresh stores, leaving out the erased customer and the one merged into them", async () => {
    const tenant = { ...(await testTenant(db, "Preview erased", timezone)), timezone };
    const { tenantId } = tenant;
    const people = await buildWorld(db, analytics, tenant, now);
    const mergedAway = await addCustomer(db, analytics, tenant, now);
    await db.customerMerge.create({ data: { mergedId: mergedAway, tenantId, intoId: people.carol } });
    // One request for the person: the merged-away id is erased with the survivor and has none of its own.
    await erasedInPostgresOnly(tenantId, [people.carol, mergedAway], [people.carol]);

    const preview = await previewSegment({ db, analytics }, tenantId, noEmail, now);
    const segment = await createSegment(db, tenantId, { name: "No e-mail", source: noEmail }, "test");
    const refreshed = await materialiseSegment({ db, analytics }, tenantId, segment.id, now);

    expect(refreshed.members).toBe(3);
    expect(preview).toMatchObject({ members: refreshed.members, exact: true });
    expect(preview.sample.map((m) => m.customerId).sort()).toEqual([people.bob, people.dave, people.erin].sort());
  });

  it("says the count is not exact when too many erasures are pending to leave out", async () => {
    const tenant = { ...(await testTenant(db, "Preview many erased", timezone)), timezone };
    const { tenantId } = tenant;
    await addCustomer(db, analytics, tenant, now);
    const pendingErasures = 10_001;
    // One more than previewLeftOutErased. Set-based: these erasures have no ClickHouse rows, only their number
    // matters.
    await db.$executeRaw`
      WITH erased AS (
        INSERT INTO customers (id, tenant_id, created_via, created_at, erased_at)
        SELECT 'cus_erased_' || ${tenantId} || '_' || n, ${tenantId}, 'test', ${ago(now, 400)}, ${now}
        FROM generate_series(1, ${pendingErasures}) AS n
        RETURNING id
      )
      INSERT INTO erasure_requests (id, tenant_id, customer_id, requested_by, reason, requested_at, postgres_done_at, pseudonym)
      SELECT 'era_' || id, ${tenantId}, id, 'test', 'request', ${now}, ${now}, 'pse_' || id FROM erased`;

    expect(await previewSegment({ db, analytics }, tenantId, noEmail, now)).toMatchObject({ members: 1, exact: false });
  });
});
