import { connectBus } from "@regulars/bus";
import { createDb, type Db } from "@regulars/db";
import type { CreatedTenant } from "@regulars/tenancy";
import { eventually, testDatabaseUrl, testNatsUrl, testTenant } from "@regulars/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { domainEvents } from "./domain-events.ts";
import { startTestSystem, type TestSystem } from "./system-fixture.ts";

// Events committed by the gateway's customer routes and the API's mutations are published as soon as the
// request succeeds. The system here has no workers, so no outbox relay: without the immediate publish the
// events would never reach the stream (and, with a relay, only after its grace), and webhooks, campaign
// triggers and the dashboard would wait for them.

let system: TestSystem;
let db: Db;
let tenant: CreatedTenant;

beforeAll(async () => {
  system = await startTestSystem({}, ["gateway", "api"]);
  db = createDb({ url: testDatabaseUrl(), poolSize: 2 });
  tenant = await testTenant(db, "Published Burgers");
});
afterAll(async () => {
  await system?.dispose();
  await db?.$disconnect();
});

it("publishes a registration and an admin's coupon issue with no relay running", async () => {
  const tag = Date.now().toString(36);
  const signUp = await system.post("/v1/customers", tenant.apiKeys.app, {
    externalIdentity: { provider: "apple", subject: `ida.${tag}` },
    name: "Ida Immediate",
    consents: [{ channel: "email", purpose: "marketing", granted: true }],
  });
  expect(signUp.status, JSON.stringify(signUp.body)).toBe(201);
  const customerId: string = signUp.body.customer.id;

  const admin = system.client(tenant.apiKeys.admin);
  const campaign = await admin.coupons.create.mutate({
    name: "Free coffee",
    benefit: { kind: "percent_off", percent: 100, match: { skus: ["COFFEE"] } },
    codes: { kind: "unique", pattern: "COFFEE-XXXXX" },
  });
  const coupon = await admin.coupons.issue.mutate({ id: campaign.id, customerId, issueKey: "at-once" });

  const bus = await connectBus({ url: testNatsUrl(), namespace: system.namespace });
  try {
    const events = await eventually("the customer's events on the domain stream", async () => {
      const mine = (await domainEvents(bus)).filter((e) => e.tenantId === tenant.tenantId);
      const types = new Set(mine.map((e) => e.type));
      return types.has("customer.created") && types.has("coupon.issued") ? mine : undefined;
    });
    expect(events.find((e) => e.type === "coupon.issued")).toMatchObject({ customerId, code: coupon.code });
    expect(events.find((e) => e.type === "customer.created")).toMatchObject({ customerId });
  } finally {
    await bus.close();
  }
  // The flusher marks its rows published after JetStream acknowledged them, so the stream can hold an event a
  // moment before its row says so; with no relay, only the flusher can mark them.
  const unpublished = () =>
    db.$queryRaw<{ n: bigint }[]>`
      SELECT count(*) AS n FROM outbox_events WHERE tenant_id = ${tenant.tenantId} AND published_at IS NULL`;
  await eventually("the outbox rows marked published", async () =>
    Number((await unpublished())[0]!.n) === 0 ? true : undefined,
  );
  expect(Number((await unpublished())[0]!.n)).toBe(0);
});
