import { publishMany } from "@regulars/bus";
import { createCampaign } from "@regulars/campaigns-store";
import { TransactionInput } from "@regulars/contracts";
import type { Db } from "@regulars/db";
import { createMetricsRegistry, silentLogger } from "@regulars/logger";
import { eventually, postedTransaction, saleBody, testBus, testDb, testTenant } from "@regulars/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type RunningWorkers, startWorkers } from "../src/index.ts";

// A till's first sale naming an unknown phone, end to end over JetStream: the ledger worker creates the customer and
// publishes `customer.created` (cause `sale`) once, however often the sale is delivered; the campaigns worker enrols
// the new customer in the always-on campaign for all members and not in the campaign for app registrations.

let bus: Awaited<ReturnType<typeof testBus>>;
let db: Db;
let workers: RunningWorkers;

beforeAll(async () => {
  bus = await testBus();
  db = testDb();
});
afterAll(async () => {
  await workers?.stop();
  await bus?.dispose();
  await db?.$disconnect();
});

it("a customer a till creates is announced once and joins the always-on campaign, not the registration one", async () => {
  const { tenantId } = await testTenant(db, "Till Customers Grill");
  const activatedAt = new Date(Date.now() - 60_000);
  const points = [{ type: "award_points", points: 5, reason: "Welcome to the club" }];
  const club = await createCampaign(
    db,
    tenantId,
    {
      name: "Club",
      status: "active",
      audience: { kind: "all_members" },
      trigger: { type: "always_on" },
      actions: points,
    },
    "key_test",
    activatedAt,
  );
  const signUps = await createCampaign(
    db,
    tenantId,
    {
      name: "Sign-ups",
      status: "active",
      audience: { kind: "none" },
      trigger: { type: "registered" },
      actions: points,
    },
    "key_test",
    activatedAt,
  );
  workers = await startWorkers({
    db,
    bus,
    log: silentLogger,
    registry: createMetricsRegistry("test"),
    enabled: ["ledger", "campaigns"],
    campaigns: { pollMs: 100, tenantIds: [tenantId] },
  });

  const phone = "+48732000001";
  const sale = postedTransaction(
    bus.topology,
    tenantId,
    TransactionInput.parse(saleBody({ channel: "pos", customer: { phone } })),
  );
  const nextSale = postedTransaction(
    bus.topology,
    tenantId,
    TransactionInput.parse(saleBody({ channel: "pos", customer: { phone } })),
  );
  // The first sale twice (the second past JetStream's duplicate window: a message of its own), then a second visit.
  await publishMany(bus.js, [sale, { ...sale, msgId: `${sale.msgId}:again` }, nextSale]);
  await eventually("both sales applied", async () =>
    (await db.transaction.count({ where: { tenantId } })) === 2 ? true : undefined,
  );
  const customer = await db.customer.findFirstOrThrow({ where: { tenantId, phone } });

  const enrolled = await eventually("the always-on campaign enrols the new customer", async () => {
    const rows = await db.campaignEnrolment.findMany({ where: { campaignId: club.id } });
    return rows.length ? rows : undefined;
  });
  expect(enrolled.map((e) => [e.customerId, e.occurrence])).toEqual([[customer.id, `customer.created:${customer.id}`]]);
  // Everything on the domain stream handled: the registration campaign had its look at the same event.
  await eventually("the campaign triggers caught up", async () => {
    const info = await bus.jsm.consumers.info(bus.topology.streams.domain, bus.topology.consumers.campaignTriggers);
    return info.num_pending === 0 && info.num_ack_pending === 0 ? true : undefined;
  });
  expect(await db.campaignEnrolment.count({ where: { campaignId: signUps.id } })).toBe(0);

  const subject = bus.topology.subjects.domain(tenantId, "customer.created");
  const stream = await bus.jsm.streams.info(bus.topology.streams.domain, { subjects_filter: subject });
  expect(stream.state.subjects?.[subject]).toBe(1);
  const stored = await bus.jsm.streams.getMessage(bus.topology.streams.domain, { last_by_subj: subject });
  expect(stored?.json()).toMatchObject({
    id: `customer.created:${customer.id}`,
    customerId: customer.id,
    via: "pos",
    cause: "sale",
    identity: "phone",
  });
});
