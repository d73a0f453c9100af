import type { Db } from "@regulars/db";
import type { CreatedTenant } from "@regulars/tenancy";
import { testTenant } from "@regulars/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startGateway, stopGateway, type TestBus, type TestGateway } from "./gateway-fixture.ts";

/**
 * An integer beyond 2^53 − 1 in event properties or preferences was rounded by the JSON parse and stored so, and an
 * event with another such id under the same eventId read as a retry (202 duplicate). Refused, naming the field.
 */
let db: Db;
let bus: TestBus;
let tenant: CreatedTenant;
let gateway: TestGateway;

beforeAll(async () => {
  ({ db, bus, gateway } = await startGateway());
  tenant = await testTenant(db, "Inexact Numbers");
});
afterAll(() => stopGateway({ gateway, bus, db }));

const send = async (method: string, path: string, body: string) => {
  const res = await gateway.request(path, {
    method,
    headers: { authorization: `Bearer ${tenant.apiKeys.app}`, "content-type": "application/json" },
    body,
  });
  return { status: res.status, body: (await res.json()) as any };
};
const refusal = (path: string) => ({
  status: 400,
  body: {
    code: "invalid_request",
    message: `the request body is invalid: ${path}`,
    issues: [{ path, message: expect.stringContaining("send larger ids as strings") }],
  },
});

it("refuses an event whose properties carry an integer beyond 2^53 − 1, and stores nothing", async () => {
  const occurredAt = new Date(Date.now() - 60_000).toISOString();
  const event = (orderId: string) =>
    `{"eventId":"big-1","type":"app_open","occurredAt":"${occurredAt}","properties":{"order":{"id":${orderId}}}}`;
  expect(await send("POST", "/v1/events", event("9007199254740993"))).toMatchObject(refusal("properties.order.id"));
  expect(await send("POST", "/v1/events", event("9007199254740992"))).toMatchObject(refusal("properties.order.id"));
  expect((await bus.jsm.streams.info(bus.topology.streams.events)).state.messages).toBe(0);
  // The largest exact integer, and the id as a string, are taken as sent.
  expect(await send("POST", "/v1/events", event("9007199254740991"))).toMatchObject({ status: 202 });
  const asString = event('"9007199254740993"').replace("big-1", "big-2");
  expect(await send("POST", "/v1/events", asString)).toMatchObject({ status: 202 });
});

it("refuses preferences with an integer beyond 2^53 − 1, at registration and by a patch", async () => {
  const identity = '"externalIdentity":{"provider":"apple","subject":"big-numbers"}';
  expect(
    await send("POST", "/v1/customers", `{${identity},"preferences":{"loyaltyNo":12345678901234567890}}`),
  ).toMatchObject(refusal("preferences.loyaltyNo"));
  const registered = await send("POST", "/v1/customers", `{${identity}}`);
  const id = registered.body.customer.id as string;
  expect(await send("PATCH", `/v1/customers/${id}`, '{"preferences":{"loyaltyNo":-9007199254740993}}')).toMatchObject(
    refusal("preferences.loyaltyNo"),
  );
  const kept = await send("PATCH", `/v1/customers/${id}`, '{"preferences":{"loyaltyNo":"12345678901234567890"}}');
  expect(kept).toMatchObject({
    status: 200,
    body: { customer: { preferences: { loyaltyNo: "12345678901234567890" } } },
  });
});
