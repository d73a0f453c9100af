import { BehaviouralEventInput, EventMessage } from "@regulars/contracts";
import { createPoolReader, type Db, prismaReader } from "@regulars/db";
import { applyEventBatch } from "@regulars/ledger-store";
import { ProgrammeCache } from "@regulars/programme";
import type { CreatedTenant } from "@regulars/tenancy";
import { testBus, testDb, testTenant } from "@regulars/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createGatewayApp } from "../src/app.ts";
import { recordedEventLookups } from "../src/recorded-events.ts";
import { gatewayDeps, type TestBus, type TestGateway } from "./gateway-fixture.ts";

/**
 * An event posted again once JetStream's duplicate window (an hour in production, a second here) has passed, its
 * `occurredAt` still well inside the 35-day window: JetStream no longer knows its eventId, so only what the resolver
 * decided tells a retry (duplicate, nothing stored again) from a changed event under a used eventId (409). Both were
 * answered 202 accepted and stored again: the resolver then dropped the retry, and refused the changed body unseen,
 * only counting it in the first event's status.
 */
const day = 86_400_000;
let db: Db;
let bus: TestBus;
let tenant: CreatedTenant;
let gateway: TestGateway;

beforeAll(async () => {
  db = testDb();
  bus = await testBus({ duplicateWindowMs: 1_000 });
  gateway = createGatewayApp(gatewayDeps(db, bus, { db }));
  tenant = await testTenant(db, "Event Retry Past Duplicate Window");
});
afterAll(async () => {
  await gateway?.stop();
  await bus?.dispose();
  await db?.$disconnect();
});

const post = async (body: unknown, app = gateway) => {
  const res = await app.request("/v1/events", {
    method: "POST",
    headers: { authorization: `Bearer ${tenant.apiKeys.pos}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as any };
};
const lastSeq = async () => (await bus.jsm.streams.info(bus.topology.streams.events)).state.last_seq;
/** The resolver decides what the gateway stored after `seq`, as the events worker would. */
const decideStoredAfter = async (seq: number) => {
  const messages: EventMessage[] = [];
  for (let s = seq + 1; s <= (await lastSeq()); s++) {
    const stored = await bus.jsm.streams.getMessage(bus.topology.streams.events, { seq: s });
    messages.push(EventMessage.parse(JSON.parse(stored!.string())));
  }
  const decided = await applyEventBatch(db, new ProgrammeCache(db, 0), messages);
  expect(decided.outcomes.map((o) => o.kind)).toEqual(messages.map(() => "done"));
};
/** Until JetStream has forgotten the message ids (its window is a second): no answer is timed, only waited for. */
const pastDuplicateWindow = () => new Promise((resolve) => setTimeout(resolve, 2_500));
const dayAgo = () => new Date(Date.now() - day).toISOString();
/** Posted and decided by the first test, looked up by the last. */
const appOpen = { eventId: "ev-win-1", type: "app_open", occurredAt: dayAgo(), properties: { screen: "home" } };

it("answers an event posted again past JetStream's window duplicate, and a changed body 409 naming the eventId", async () => {
  const before = await lastSeq();
  expect(await post(appOpen)).toMatchObject({ status: 202, body: { duplicate: false } });
  expect(await lastSeq()).toBe(before + 1);
  await decideStoredAfter(before);
  await pastDuplicateWindow();
  const stored = await lastSeq();

  expect(await post(appOpen)).toMatchObject({
    status: 202,
    body: { eventId: "ev-win-1", status: "accepted", duplicate: true },
  });
  const changed = await post({ ...appOpen, properties: { screen: "menu" } });
  expect(changed).toMatchObject({ status: 409, body: { code: "idempotency_conflict" } });
  expect(changed.body.message).toContain("ev-win-1");
  expect(await lastSeq()).toBe(stored);
});

it("stores a new event when Postgres cannot be asked, and answers 503 for one it would refuse", async () => {
  const unreachable = createPoolReader({ url: "postgresql://postgres@127.0.0.1:1/none", poolSize: 1 });
  const blind = createGatewayApp(gatewayDeps(db, bus, { db, reader: unreachable }));
  try {
    const before = await lastSeq();
    // A Postgres outage does not stop the app: JetStream's dedupe and the resolver's decide-once keep it exact.
    const fresh = { eventId: "ev-win-blind", type: "app_open", occurredAt: dayAgo() };
    expect(await post(fresh, blind)).toMatchObject({ status: 202, body: { duplicate: false } });
    expect(await lastSeq()).toBe(before + 1);
    // A refused one may be a stored event whose 202 was lost: without Postgres nothing can tell, so nothing is said.
    const late = {
      eventId: "ev-win-blind-late",
      type: "app_open",
      occurredAt: new Date(Date.now() - 40 * day).toISOString(),
    };
    expect(await post(late, blind)).toMatchObject({ status: 503, body: { code: "unavailable" } });
    expect(await lastSeq()).toBe(before + 1);
  } finally {
    await blind.stop();
    await unreachable.close().catch(() => {});
  }
});

it("asks Postgres once for the event lookups of requests made together, each answered with its own", async () => {
  const other = await testTenant(db, "Event Retry Past Duplicate Window Other");
  const lookups = recordedEventLookups(prismaReader(db));
  const posted = BehaviouralEventInput.parse(appOpen);
  const changed = BehaviouralEventInput.parse({ ...appOpen, properties: { screen: "menu" } });
  const never = BehaviouralEventInput.parse({ ...appOpen, eventId: "ev-win-never" });
  const [mine, mineChanged, theirs, none] = await Promise.all([
    lookups.recordedBefore(tenant.tenantId, [posted]),
    lookups.recordedBefore(tenant.tenantId, [changed]),
    lookups.recordedBefore(other.tenantId, [posted]),
    lookups.recordedBefore(tenant.tenantId, [never]),
  ]);
  expect(mine).toEqual(["match"]);
  expect(mineChanged).toEqual(["other"]);
  expect(theirs).toEqual([undefined]);
  expect(none).toEqual([undefined]);
  expect(lookups.stats).toEqual({ lookups: 4, statements: 1 });
});
