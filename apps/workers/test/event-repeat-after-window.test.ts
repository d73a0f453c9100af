import { consumerBacklog, publishJson } from "@regulars/bus";
import type { EventMessage } from "@regulars/contracts";
import type { Db } from "@regulars/db";
import { stableId } from "@regulars/ids";
import { eventStatus } from "@regulars/ledger-store";
import { createMetricsRegistry, silentLogger } from "@regulars/logger";
import { eventually, testAnalytics, testBus, testDb, testTenant } from "@regulars/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type RunningWorkers, startWorkers } from "../src/index.ts";

// JetStream forgets an eventId after its duplicate window; a till retrying later (its clock corrected meanwhile)
// stores the event a second time. The resolver decided it the first time, anonymous as it is: ClickHouse keeps the one
// row written then (SPEC: processed twice changes nothing the second time), and the changed body is an idempotency
// conflict (never a silent duplicate), counted on the event's status as the gateway's 409 would have told it.

const duplicateWindowMs = 1_000;
let bus: Awaited<ReturnType<typeof testBus>>;
let analytics: Awaited<ReturnType<typeof testAnalytics>>;
let db: Db;
let tenant: Awaited<ReturnType<typeof testTenant>>;
let workers: RunningWorkers;

beforeAll(async () => {
  db = testDb();
  bus = await testBus({ duplicateWindowMs });
  analytics = await testAnalytics();
  tenant = await testTenant(db, "Repeat after window");
  workers = await startWorkers({
    db,
    bus,
    analytics,
    log: silentLogger,
    registry: createMetricsRegistry("test"),
    enabled: ["events", "analytics"],
  });
});
afterAll(async () => {
  await workers?.stop();
  await bus?.dispose();
  await analytics?.dispose();
  await db?.$disconnect();
});

/** Stored as the gateway stores it: the tenant's eventId is the message id. */
function post(eventId: string, type: string, occurredAt: Date) {
  const { tenantId } = tenant;
  const message: EventMessage = {
    tenantId,
    id: stableId("event", tenantId, eventId),
    receivedAt: new Date().toISOString(),
    event: { eventId, type, occurredAt: occurredAt.toISOString(), properties: { screen: "home" } },
  };
  return publishJson(bus.js, bus.topology.subjects.event(tenantId, type), message, `${tenantId}:${eventId}`);
}

it("an anonymous event posted again after the duplicate window writes no second ClickHouse row", async () => {
  const { tenantId } = tenant;
  const first = new Date(Date.now() - 120_000);
  expect((await post("ev-repeat-1", "app_open", first)).duplicate).toBe(false);
  await eventually("the event in ClickHouse", async () =>
    (await analytics.countEvents(tenantId, { type: "app_open" })) === 1 ? true : undefined,
  );

  // The domain stream forgets the event.recorded's id after the same window: past it, nothing but the resolver stands
  // between a repeat and a second row. (Published before the row was written, so a window from now is past it.)
  await new Promise((r) => setTimeout(r, 2 * duplicateWindowMs));
  // The same eventId, its occurredAt corrected (another row key), posted until JetStream no longer knows the id.
  const corrected = new Date(first.getTime() + 60_000);
  await eventually("the duplicate window over", async () =>
    (await post("ev-repeat-1", "app_open", corrected)).duplicate ? undefined : true,
  );

  // A later event marks the repeat as read: the resolver and the writer take the stream in order.
  await post("ev-repeat-marker", "page_view", new Date(Date.now() - 30_000));
  await eventually("the marker in ClickHouse, nothing left to read", async () =>
    (await analytics.countEvents(tenantId, { type: "page_view" })) === 1 &&
    (await consumerBacklog(bus, bus.topology.streams.events, bus.topology.consumers.eventResolver)) === 0 &&
    (await consumerBacklog(bus, bus.topology.streams.domain, bus.topology.consumers.analyticsWriter)) === 0
      ? true
      : undefined,
  );

  expect(await analytics.countEvents(tenantId, { type: "app_open" })).toBe(1);
  const decided = await db.$queryRaw<{ n: bigint }[]>`
    SELECT count(*) AS n FROM applied_events WHERE tenant_id = ${tenantId} AND event_id = ${stableId("event", tenantId, "ev-repeat-1")}`;
  expect(Number(decided[0]!.n)).toBe(1);
  expect(await eventStatus(db, tenantId, "ev-repeat-1")).toMatchObject({ status: "processed", conflicts: 1 });
});
