import { type Analytics, createAnalytics } from "@regulars/analytics";
import { SegmentDefinition } from "@regulars/contracts";
import { startTcpProxy, type TcpProxy, testAnalytics, testDb, testTenant } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createSegment,
  dueSegments,
  getSegment,
  listMembers,
  refreshDueSegments,
  refreshSegment,
  updateSegment,
} from "../src/index.ts";
import { addCustomer } from "./fixtures.ts";

// When a segment is due, on an injected clock: one whose members are of an older version of its definition is due at
// the scheduler's next pass (a minute apart by default), not when its interval has passed; one whose refresh keeps
// failing (a ClickHouse whose port refuses connections) is tried less and less often.

const db = testDb();
let analytics: Awaited<ReturnType<typeof testAnalytics>>;
let port: TcpProxy;
let down: Analytics;
const timezone = "Europe/Warsaw";
const t0 = new Date(Date.now() - 3_600_000);
const minutes = (n: number) => new Date(t0.getTime() + n * 60_000);
let tenantId: string;
let gold: string;
let silver: string;

beforeAll(async () => {
  analytics = await testAnalytics();
  ({ tenantId } = await testTenant(db, "Schedule", timezone));
  gold = await addCustomer(db, analytics, { tenantId, timezone }, t0, { tier: "gold" });
  silver = await addCustomer(db, analytics, { tenantId, timezone }, t0, { tier: "silver" });
  port = await startTcpProxy({ host: "127.0.0.1", port: 9 });
  await port.refuse();
  down = await createAnalytics({ kind: "http", url: `http://${port.address}`, database: "regulars" });
});
afterAll(async () => {
  await down?.close();
  await port?.close();
  await analytics?.dispose();
  await db.$disconnect();
});

const tier = (tiers: string[]) => ({
  kind: "definition" as const,
  definition: SegmentDefinition.parse({ all: [{ type: "tier_in", tiers }] }),
});
const weekly = 7 * 24 * 60;

async function members(segmentId: string) {
  return (await listMembers(db, tenantId, segmentId, { limit: 10 })).members.map((m) => m.customerId);
}

describe("segments due for a refresh", () => {
  it("takes a change whose refresh failed at the next pass, then backs off while it keeps failing", async () => {
    const segment = await createSegment(
      db,
      tenantId,
      { name: "Gold", source: tier(["gold"]), refreshIntervalMinutes: weekly },
      "t",
    );
    await refreshSegment({ db, analytics }, tenantId, segment.id, t0);
    expect(await dueSegments(db, tenantId, minutes(1))).not.toContain(segment.id);

    // The change is saved; its refresh right after fails (ClickHouse busy): the members are still the old ones.
    await updateSegment(db, tenantId, segment.id, { source: tier(["silver"]) }, "t");
    await expect(refreshSegment({ db, analytics: down }, tenantId, segment.id, minutes(1))).rejects.toThrow();
    expect(await members(segment.id)).toEqual([gold]);

    // Tried at the first pass a minute on, not in a week; failing again, after two minutes more, then four.
    expect(await dueSegments(db, tenantId, minutes(1.5))).not.toContain(segment.id);
    expect(await dueSegments(db, tenantId, minutes(2))).toContain(segment.id);
    const failed: string[] = [];
    const onError = (id: string) => failed.push(id);
    await refreshDueSegments({ db, analytics: down, tenantId, now: minutes(2), onError });
    expect(await dueSegments(db, tenantId, minutes(3))).not.toContain(segment.id);
    expect(await dueSegments(db, tenantId, minutes(4))).toContain(segment.id);
    await refreshDueSegments({ db, analytics: down, tenantId, now: minutes(4), onError });
    expect(failed).toEqual([segment.id, segment.id]);
    expect(await dueSegments(db, tenantId, minutes(7))).not.toContain(segment.id);
    expect(await dueSegments(db, tenantId, minutes(8))).toContain(segment.id);

    // ClickHouse answers again: the new definition's members, and the segment is back on its weekly interval.
    await refreshDueSegments({ db, analytics, tenantId, now: minutes(8), onError });
    expect(failed).toHaveLength(2);
    expect(await members(segment.id)).toEqual([silver]);
    expect(await db.segment.findUniqueOrThrow({ where: { id: segment.id } })).toMatchObject({
      lastError: null,
      failedRefreshes: 0,
      retryAt: null,
      refreshedVersion: 2,
    });
    expect(await dueSegments(db, tenantId, minutes(9))).not.toContain(segment.id);
    expect(await dueSegments(db, tenantId, minutes(8 + weekly))).toContain(segment.id);
  });

  it("takes a change never refreshed (the process stopped after saving it) at the next pass", async () => {
    const source = tier(["gold"]);
    const segment = await createSegment(
      db,
      tenantId,
      { name: "Gold, saved", source, refreshIntervalMinutes: weekly },
      "t",
    );
    await refreshSegment({ db, analytics }, tenantId, segment.id, t0);
    await updateSegment(db, tenantId, segment.id, { source: tier(["gold", "silver"]) }, "t");
    expect(await dueSegments(db, tenantId, minutes(1))).toContain(segment.id);
    await refreshDueSegments({ db, analytics, tenantId, now: minutes(1) });
    expect((await members(segment.id)).sort()).toEqual([gold, silver].sort());
    expect(await dueSegments(db, tenantId, minutes(2))).not.toContain(segment.id);
  });

  it("keeps a paused segment's members through an edit, and says they are of the older definition", async () => {
    const segment = await createSegment(db, tenantId, { name: "Gold, paused", source: tier(["gold"]) }, "t");
    await refreshSegment({ db, analytics }, tenantId, segment.id, t0);
    await updateSegment(db, tenantId, segment.id, { status: "paused" }, "t");
    await updateSegment(db, tenantId, segment.id, { source: tier(["silver"]) }, "t");

    expect(await refreshSegment({ db, analytics }, tenantId, segment.id, minutes(1))).toMatchObject({ paused: true });
    expect(await members(segment.id)).toEqual([gold]);
    expect(await getSegment(db, tenantId, segment.id)).toMatchObject({
      version: 2,
      refreshedVersion: 1,
      memberCount: 1,
    });

    // Resumed, the scheduler's next pass brings the members up to the definition.
    await updateSegment(db, tenantId, segment.id, { status: "active" }, "t");
    await refreshDueSegments({ db, analytics, tenantId, now: minutes(2) });
    expect(await members(segment.id)).toEqual([silver]);
    expect(await getSegment(db, tenantId, segment.id)).toMatchObject({ version: 2, refreshedVersion: 2 });
  });

  it("backs off a segment whose scheduled refresh keeps failing, never past its own interval", async () => {
    const source = tier(["gold"]);
    const segment = await createSegment(db, tenantId, { name: "Gold, 3 min", source, refreshIntervalMinutes: 3 }, "t");
    for (const [at, nextDue] of [
      [0, 1],
      [1, 3],
      [3, 6],
      [6, 9],
    ] as const) {
      await refreshDueSegments({ db, analytics: down, tenantId, now: minutes(at), onError: () => undefined });
      expect(await dueSegments(db, tenantId, minutes(nextDue - 0.5))).not.toContain(segment.id);
      expect(await dueSegments(db, tenantId, minutes(nextDue))).toContain(segment.id);
    }
  });
});
