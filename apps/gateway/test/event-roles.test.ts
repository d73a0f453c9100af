import type { ApiKeyRole } from "@regulars/contracts";
import type { Db } from "@regulars/db";
import type { CreatedTenant } from "@regulars/tenancy";
import { testTenant } from "@regulars/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startGateway, stopGateway, type TestBus, type TestGateway } from "./gateway-fixture.ts";

/**
 * Action rules pay by an event's type and channel, so both follow from the key that posts it: a till or kiosk key
 * names its own channel only and never posts what only the customer does in the brand app (`profile_completed`, a
 * message opened), or any kiosk could pay a "profile completed" rule restricted to the app for any customer.
 */
let db: Db;
let bus: TestBus;
let tenant: CreatedTenant;
let gateway: TestGateway;

beforeAll(async () => {
  ({ db, bus, gateway } = await startGateway({}, { withDb: false }));
  tenant = await testTenant(db, "Event Roles");
});
afterAll(() => stopGateway({ gateway, bus, db }));

let serial = 0;
const event = <F extends Record<string, unknown>>(fields: F) => ({
  eventId: `ev-role-${++serial}`,
  occurredAt: new Date(Date.now() - 60_000).toISOString(),
  customer: { phone: "+48600100200" },
  ...fields,
});
const post = async (role: ApiKeyRole, body: unknown) => {
  const res = await gateway.request("/v1/events", {
    method: "POST",
    headers: { authorization: `Bearer ${tenant.apiKeys[role]}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as any };
};
const eventsStream = async () => (await bus.jsm.streams.info(bus.topology.streams.events)).state;
const lastStoredEvent = async () => {
  const { last_seq } = await eventsStream();
  return (await bus.jsm.streams.getMessage(bus.topology.streams.events, { seq: last_seq }))!.json<any>().event;
};

it("refuses a kiosk key naming another channel, and stores nothing", async () => {
  const before = (await eventsStream()).messages;
  expect(await post("kiosk", event({ type: "feedback_submitted", channel: "app" }))).toEqual({
    status: 403,
    body: {
      code: "channel_not_allowed",
      message: "a kiosk key posts events of channel kiosk only, not app",
      requestId: expect.any(String),
    },
  });
  expect(await post("app", event({ type: "app_open", channel: "pos" }))).toMatchObject({
    status: 403,
    body: { code: "channel_not_allowed", message: "an app key posts events of channel app or web only, not pos" },
  });
  expect((await eventsStream()).messages).toBe(before);
});

it("refuses the customer's own events from till and kiosk keys, whatever channel they name", async () => {
  const before = (await eventsStream()).messages;
  expect(await post("kiosk", event({ type: "profile_completed", channel: "app" }))).toEqual({
    status: 403,
    body: {
      code: "event_type_not_allowed",
      message:
        "a kiosk key cannot post profile_completed, the customer's own doing in the brand app: it needs an app or admin key",
      requestId: expect.any(String),
    },
  });
  for (const type of ["profile_completed", "push_opened", "email_clicked"]) {
    expect(await post("pos", event({ type, channel: "pos" }))).toMatchObject({
      status: 403,
      body: { code: "event_type_not_allowed" },
    });
  }
  expect((await eventsStream()).messages).toBe(before);
});

it("accepts each key's own channel, and records the key's channel when the event names none", async () => {
  expect(await post("pos", event({ type: "feedback_submitted", channel: "pos" }))).toMatchObject({ status: 202 });
  expect(await lastStoredEvent()).toMatchObject({ type: "feedback_submitted", channel: "pos" });

  expect(await post("kiosk", event({ type: "form_submitted" }))).toMatchObject({ status: 202 });
  expect(await lastStoredEvent()).toMatchObject({ type: "form_submitted", channel: "kiosk" });

  expect(await post("app", event({ type: "profile_completed" }))).toMatchObject({ status: 202 });
  expect(await lastStoredEvent()).toMatchObject({ type: "profile_completed", channel: "app" });
  expect(await post("app", event({ type: "page_view", channel: "web" }))).toMatchObject({ status: 202 });
});

it("accepts any type and channel from an admin key, and leaves an unnamed channel unnamed", async () => {
  expect(await post("admin", event({ type: "profile_completed", channel: "kiosk" }))).toMatchObject({ status: 202 });
  expect(await post("admin", event({ type: "feedback_submitted", channel: "delivery" }))).toMatchObject({
    status: 202,
  });
  expect(await post("admin", event({ type: "push_opened" }))).toMatchObject({ status: 202 });
  expect((await lastStoredEvent()).channel).toBeUndefined();
});

it("answers a retry of an event stored without a channel, before the key's was filled in, as a duplicate", async () => {
  const stored = event({ type: "feedback_submitted" });
  const { tenantId } = tenant;
  await bus.js.publish(
    bus.topology.subjects.event(tenantId, stored.type),
    JSON.stringify({ tenantId, id: `evt_${stored.eventId}`, receivedAt: new Date().toISOString(), event: stored }),
    { msgID: `${tenantId}:${stored.eventId}` },
  );
  const before = (await eventsStream()).messages;
  expect(await post("pos", stored)).toMatchObject({ status: 202, body: { duplicate: true } });
  // Naming a channel the first post did not name is another body, as it always was.
  expect(await post("pos", { ...stored, channel: "pos" })).toMatchObject({
    status: 409,
    body: { code: "idempotency_conflict" },
  });
  expect((await eventsStream()).messages).toBe(before);
});
