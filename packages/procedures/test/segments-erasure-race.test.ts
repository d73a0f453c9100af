import type { Db } from "@regulars/db";
import { newId } from "@regulars/ids";
import { eraseCustomer } from "@regulars/privacy";
import { createSegment, materialiseSegment, type SegmentRefresh, snapshotCustomers } from "@regulars/segments-store";
import { testAnalytics, testDb, testTenant } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// A segment refresh and an erasure of one of its members that overlap, over real Postgres and ClickHouse (chdb, which
// still holds the customer's rows: their erasure there is pending). Whatever the interleaving, the erased customer
// ends up in no segment and no segment.entered event of a refresh after the erasure names them.

let db: Db;
let analytics: Awaited<ReturnType<typeof testAnalytics>>;
let tenantId: string;

beforeAll(async () => {
  db = testDb();
  analytics = await testAnalytics();
  ({ tenantId } = await testTenant(db, "Erasure Race Grill"));
});
afterAll(async () => {
  await analytics?.dispose();
  await db?.$disconnect();
});

let tiers = 0;

/** Customers of a tier of their own, and a segment of that tier: each test's alone. */
async function tierAndSegment(n: number): Promise<{ ids: string[]; segmentId: string }> {
  const tier = `tier_${++tiers}`;
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const id = newId("customer");
    await db.customer.create({ data: { id, tenantId, createdVia: "test" } });
    await db.customerLoyalty.create({ data: { customerId: id, tenantId, tier } });
    await snapshotCustomers(db, analytics, { changed: [{ tenantId, customerId: id }], seen: [] });
    ids.push(id);
  }
  const definition = { all: [{ type: "tier_in" as const, tiers: [tier] }] };
  const segment = await createSegment(db, tenantId, { name: tier, source: { kind: "definition", definition } }, "test");
  return { ids: ids.sort(), segmentId: segment.id };
}

const erase = (client: Db, customerId: string) =>
  eraseCustomer({ db: client, analytics: null }, tenantId, customerId, {
    actor: "test",
    cause: "request",
    now: new Date(),
  });

/** The client, with `before` run ahead of its first raw statement whose text holds `marker`. */
function pausedAt(client: Db, marker: string, before: () => Promise<unknown>): Db {
  let done = false;
  return client.$extends({
    query: {
      async $allOperations({ operation, args, query }) {
        if (!done && operation.endsWith("Raw") && JSON.stringify(args).includes(marker)) {
          done = true;
          await before();
        }
        return query(args);
      },
    },
  }) as unknown as Db;
}

async function outcome(segmentId: string, customerId: string) {
  const member = await db.segmentMember.count({ where: { segmentId, customerId } });
  const entered = await db.outboxEvent.findMany({
    where: { tenantId, type: "segment.entered", payload: { path: ["segmentId"], equals: segmentId } },
  });
  return {
    member,
    enteredAt: entered.filter((e) => e.id.includes(customerId)).map((e) => e.id.split(":").at(-1)),
  };
}

describe("a segment refresh overlapping an erasure", () => {
  it("takes no erased member back when the erasure comes after the refresh read who is erased", async () => {
    const { ids, segmentId } = await tierAndSegment(2);
    const [erased, kept] = ids as [string, string];
    const now = new Date();
    expect(await materialiseSegment({ db, analytics }, tenantId, segmentId, now)).toMatchObject({ members: 2 });

    // The erasure is asked for right after the refresh filled its list of who qualifies (and is not erased). It
    // waits for the refresh's commit (before that, it deleted the memberships it saw and the refresh entered the
    // customer again, announced).
    let erasing: Promise<unknown> | undefined;
    const refreshing = pausedAt(db, "ANALYZE segment_refresh", async () => {
      let settled = false;
      erasing = erase(db, erased).finally(() => (settled = true));
      erasing.catch(() => {});
      // Until it is done (nothing stops it) or waits for the refresh.
      while (!settled && !(await waitingForLock("pg_advisory_xact_lock("))) await new Promise((r) => setTimeout(r, 20));
    });
    const later = new Date(now.getTime() + 60_000);
    const refresh = await materialiseSegment({ db: refreshing, analytics }, tenantId, segmentId, later);
    await erasing;

    expect(refresh).toMatchObject({ refresh: 2, entered: 0, members: 2 });
    expect(await outcome(segmentId, erased)).toEqual({ member: 0, enteredAt: ["1"] });
    expect((await db.segmentMember.findMany({ where: { segmentId: segmentId } })).map((m) => m.customerId)).toEqual([
      kept,
    ]);
  });

  it("enters no one whose erasure is under way while the refresh enters them, and counts them out", async () => {
    const { ids, segmentId } = await tierAndSegment(2);
    const [erased, kept] = ids as [string, string];
    let refreshing: Promise<SegmentRefresh> | undefined;
    let settled = false;
    // The erasure has deleted the customer's memberships and holds their row; the first refresh runs then.
    const erasing = pausedAt(db, "erased_at =", async () => {
      refreshing = materialiseSegment({ db, analytics }, tenantId, segmentId, new Date());
      refreshing.then(
        () => (settled = true),
        () => (settled = true),
      );
      // Until it is done (nothing stops it) or waits for the erasure's fence.
      while (!settled && !(await waitingForLock("pg_advisory_xact_lock_shared(")))
        await new Promise((r) => setTimeout(r, 20));
    });
    await erase(erasing, erased);
    const refresh = await refreshing!;

    expect(refresh).toMatchObject({ refresh: 1, entered: 1, members: 1 });
    expect(await outcome(segmentId, erased)).toEqual({ member: 0, enteredAt: [] });
    expect(await outcome(segmentId, kept)).toEqual({ member: 1, enteredAt: ["1"] });
    const stored = await db.segment.findUniqueOrThrow({ where: { id: segmentId } });
    expect(stored.memberCount).toBe(1);
  });
});

/** Whether a statement of this database waits for a lock, its text holding `marker`. */
async function waitingForLock(marker: string): Promise<boolean> {
  const [row] = await db.$queryRaw<{ waiting: number }[]>`
    SELECT count(*)::int AS waiting FROM pg_stat_activity
    WHERE datname = current_database() AND wait_event_type = 'Lock' AND strpos(query, ${marker}) > 0`;
  return (row?.waiting ?? 0) > 0;
}
