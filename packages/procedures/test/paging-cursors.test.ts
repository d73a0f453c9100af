import type { Db } from "@regulars/db";
import { newId } from "@regulars/ids";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { failure, issuesOf, tenantCallers } from "./helpers.ts";

/**
 * The stores page by comparing ids (`id < cursor`, `customer_id > after`): a cursor that is not an id of the paged
 * kind would answer a wrong page without a word ("aaa" an empty one, "zzz" the first again). It is refused by name.
 */
let db: Db;
let t: Awaited<ReturnType<typeof tenantCallers>>;
let customerId: string;
let segmentId: string;
let endpointId: string;

beforeAll(async () => {
  db = testDb();
  t = await tenantCallers(db, "Cursor Grill");
  customerId = newId("customer");
  await db.customer.create({
    data: { id: customerId, tenantId: t.tenantId, name: "Cursor Carla", createdVia: "test" },
  });
  for (const amount of [10, 20, 30])
    await t.admin.customers.adjust({ customerId, amount, reason: "points from paper cards" });
  for (const granted of [true, false, true])
    await t.admin.customers.setConsents({ customerId, consents: [{ channel: "sms", purpose: "marketing", granted }] });
  segmentId = newId("segment");
  await db.segment.create({
    data: {
      id: segmentId,
      tenantId: t.tenantId,
      name: "Gold",
      kind: "definition",
      definition: { all: [{ type: "tier_in", tiers: ["gold"] }] },
      createdBy: "test",
    },
  });
  await db.segmentMember.create({ data: { segmentId, customerId, tenantId: t.tenantId, enteredAt: new Date() } });
  const { endpoint } = await t.admin.webhooks.endpoints.create({
    url: "https://hooks.example.com/regulars",
    eventTypes: ["coupon.issued"],
  });
  endpointId = endpoint.id;
  await t.admin.webhooks.endpoints.test({ id: endpointId });
});
afterAll(async () => {
  await db?.$disconnect();
});

const bogus = ["aaa", "zzz", "mov_", "cns_01", "cus_ZZZZZZZZZZZZ", "whd_01hx'--"];

const refusedNaming = async (field: string, work: Promise<unknown>) => {
  const error = await failure(work);
  expect(error.code).toBe("BAD_REQUEST");
  expect(issuesOf(error)?.map((issue) => issue.path)).toEqual([field]);
};

describe("a paging cursor that is not an id of its kind", () => {
  it("is refused by customers.ledger, whose pages still follow", async () => {
    for (const cursor of bogus) await refusedNaming("cursor", t.admin.customers.ledger({ customerId, cursor }));
    const first = await t.admin.customers.ledger({ customerId, limit: 2 });
    const next = await t.admin.customers.ledger({ customerId, limit: 2, cursor: first.nextCursor });
    expect([...first.items, ...next.items]).toHaveLength(3);
  });

  it("is refused by customers.consentHistory, whose pages still follow", async () => {
    for (const cursor of bogus) await refusedNaming("cursor", t.admin.customers.consentHistory({ customerId, cursor }));
    const first = await t.admin.customers.consentHistory({ customerId, limit: 2 });
    const next = await t.admin.customers.consentHistory({ customerId, limit: 2, cursor: first.nextCursor });
    expect([...first.items, ...next.items]).toHaveLength(3);
  });

  it("is refused by segments.members as its `after`", async () => {
    for (const after of bogus) await refusedNaming("after", t.admin.segments.members({ id: segmentId, after }));
    const page = await t.admin.segments.members({ id: segmentId, after: `cus_${"0".repeat(26)}` });
    expect(page.members.map((m) => m.customerId)).toEqual([customerId]);
  });

  it("is refused by webhooks.deliveries.list as its `after`", async () => {
    for (const after of bogus) await refusedNaming("after", t.admin.webhooks.deliveries.list({ endpointId, after }));
    const first = await t.admin.webhooks.deliveries.list({ endpointId });
    expect(first.items).toHaveLength(1);
    expect((await t.admin.webhooks.deliveries.list({ endpointId, after: first.items[0]!.id })).items).toEqual([]);
  });
});
