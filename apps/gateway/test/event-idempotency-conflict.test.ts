import type { Db } from "@regulars/db";
import type { CreatedTenant } from "@regulars/tenancy";
import { testTenant } from "@regulars/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startGateway, stopGateway, type TestBus, type TestGateway } from "./gateway-fixture.ts";

/**
 * An `eventId` is the event's idempotency key, as `externalId` is a sale's: the same body again is a retry (202
 * `duplicate`), another body under it is a conflict (409), never a silent duplicate that drops the change (SPEC).
 */
let db: Db;
let bus: TestBus;
let tenant: CreatedTenant;
let gateway: TestGateway;

beforeAll(async () => {
  ({ db, bus, gateway } = await startGateway({}, { withDb: false }));
  tenant = await testTenant(db, "Event Conflicts");
});
afterAll(() => stopGateway({ gateway, bus, db }));

const post = async (body: unknown) => {
  const res = await gateway.request("/v1/events", {
    method: "POST",
    headers: { authorization: `Bearer ${tenant.apiKeys.pos}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as any };
};
const storedEvents = async () => (await bus.jsm.streams.info(bus.topology.streams.events)).state.messages;

it("answers 409 idempotency_conflict for an eventId posted again with another body, 202 duplicate for the same", async () => {
  const occurredAt = new Date(Date.now() - 60_000);
  const original = { eventId: "ev-conflict-1", type: "app_open", occurredAt: occurredAt.toISOString() };
  expect(await post(original)).toMatchObject({ status: 202, body: { duplicate: false } });

  const changedBodies = [
    { ...original, type: "feedback_submitted" },
    { ...original, occurredAt: new Date(occurredAt.getTime() + 30_000).toISOString() },
    { ...original, customer: { phone: "+48600100200" } },
    { ...original, properties: { screen: "home" } },
  ];
  for (const changed of changedBodies) {
    expect(await post(changed)).toEqual({
      status: 409,
      body: {
        code: "idempotency_conflict",
        message:
          "eventId ev-conflict-1 was accepted before with a different body; post a changed event under a new eventId",
        requestId: expect.any(String),
      },
    });
  }

  // The same event, told the same way or another: a retry. The same instant in another offset, defaults spelled out.
  const sameInstant = new Date(occurredAt.getTime() + 3_600_000).toISOString().replace("Z", "+01:00");
  for (const retry of [original, { ...original, occurredAt: sameInstant, customer: null, properties: {} }]) {
    expect(await post(retry)).toMatchObject({ status: 202, body: { eventId: "ev-conflict-1", duplicate: true } });
  }
  expect(await storedEvents()).toBe(1);
});
