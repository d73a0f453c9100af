import { BehaviouralEventInput } from "@regulars/contracts";
import { prismaReader } from "@regulars/db";
import { testTenant } from "@regulars/testing";
import { expect, it } from "vitest";
import { recordedEventLookups } from "../src/recorded-events.ts";
import type { TestGateway } from "./gateway-fixture.ts";
import { day, dayAgo, pastDuplicateWindow, pastWindowGateway } from "./past-window-fixture.ts";

/**
 * An event posted again once JetStream's duplicate window (an hour in production, a second here) has passed, its
 * `occurredAt` still well inside the 35-day window: JetStream no longer knows its eventId, so only what the resolver
 * decided tells a retry (duplicate, nothing stored again) from a changed event under a used eventId (409). Both were
 * answered 202 accepted and stored again: the resolver then dropped the retry, and refused the changed body unseen,
 * only counting it in the first event's status.
 */
const w = pastWindowGateway({ tenantName: "Event Retry Past Duplicate Window", stream: "events" });
const post = (body: unknown, app?: TestGateway) => w.post("/v1/events", body, app);
const { lastSeq } = w;
/** Posted and decided by the first test, looked up by the last. */
const appOpen = { eventId: "ev-win-1", type: "app_open", occurredAt: dayAgo(), properties: { screen: "home" } };

it("answers an event posted again past JetStream's window duplicate, and a changed body 409 naming the eventId", async () => {
  const before = await lastSeq();
  expect(await post(appOpen)).toMatchObject({ status: 202, body: { duplicate: false } });
  expect(await lastSeq()).toBe(before + 1);
  await w.applyStoredAfter(before);
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
  await w.withBlindGateway(async (blind) => {
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
  });
});

it("asks Postgres once for the event lookups of requests made together, each answered with its own", async () => {
  const other = await testTenant(w.db, "Event Retry Past Duplicate Window Other");
  const lookups = recordedEventLookups(prismaReader(w.db));
  // As the gateway recorded it: posted with the fixture's pos key and no channel, the key's channel was filled in.
  const posted = BehaviouralEventInput.parse({ ...appOpen, channel: "pos" });
  const changed = BehaviouralEventInput.parse({ ...appOpen, channel: "pos", properties: { screen: "menu" } });
  const never = BehaviouralEventInput.parse({ ...appOpen, eventId: "ev-win-never" });
  const [mine, mineChanged, theirs, none] = await Promise.all([
    lookups.recordedBefore(w.tenant.tenantId, [posted]),
    lookups.recordedBefore(w.tenant.tenantId, [changed]),
    lookups.recordedBefore(other.tenantId, [posted]),
    lookups.recordedBefore(w.tenant.tenantId, [never]),
  ]);
  expect(mine).toEqual(["match"]);
  expect(mineChanged).toEqual(["other"]);
  expect(theirs).toEqual([undefined]);
  expect(none).toEqual([undefined]);
  expect(lookups.stats).toEqual({ lookups: 4, statements: 1 });
});
