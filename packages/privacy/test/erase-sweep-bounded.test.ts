import { rowsOfCustomers } from "@regulars/analytics";
import { RegisterCustomerRequest } from "@regulars/contracts";
import { registerCustomer } from "@regulars/customers-store";
import type { Db } from "@regulars/db";
import { createLogger } from "@regulars/logger";
import { testAnalytics, testDb, testTenant } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eraseCustomer, finishErasures } from "../src/index.ts";

// The sweep of finished erasures for what arrived late looks at each on a back-off, a bounded number a pass: looking
// at every erasure of the last 8 days at every pass held up the scheduler's other jobs once there were thousands.

let db: Db;
let analytics: Awaited<ReturnType<typeof testAnalytics>>;
const log = createLogger({ level: "silent" });
beforeAll(async () => {
  db = testDb();
  analytics = await testAnalytics();
});
afterAll(async () => {
  await analytics?.dispose();
  await db?.$disconnect();
});

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const at = (t0: Date, ms: number) => new Date(t0.getTime() + ms);
let n = 0;
const tag = () => `${Date.now().toString(36)}${(++n).toString(36)}`;

async function member(tenantId: string, now: Date) {
  const request = RegisterCustomerRequest.parse({ externalIdentity: { provider: "brand", subject: `s-${tag()}` } });
  const { customer } = await registerCustomer(db, tenantId, request, { actor: "key_app", source: "app", now });
  return customer.id;
}

/** `count` customers erased at `t0`, ClickHouse's part done then, and a pass of finish-erasures `ms` after `t0`. */
async function erasedAt(name: string, t0: Date, count: number) {
  const { tenantId } = await testTenant(db, name);
  const customers: string[] = [];
  for (let i = 0; i < count; i++) customers.push(await member(tenantId, t0));
  for (const id of customers)
    await eraseCustomer({ db, analytics }, tenantId, id, { actor: "key_admin", cause: "request", now: t0 });
  const pass = (ms: number) => finishErasures({ db, log, tenantId, now: at(t0, ms), analytics });
  return { tenantId, customers, pass };
}

/** An app event of each customer that reaches ClickHouse after their erasure. */
async function lateEvents(tenantId: string, customerIds: string[], occurredAt: Date) {
  await analytics.insertEvents(
    customerIds.map((customerId) => ({
      tenantId,
      eventId: `ev_${tag()}`,
      type: "app_open",
      occurredAt: occurredAt.toISOString(),
      customerId,
      locationId: null,
      channel: "app" as const,
      properties: {},
    })),
  );
}

const nextSweeps = async (tenantId: string) =>
  (await db.erasureRequest.findMany({ where: { tenantId }, orderBy: { id: "asc" } })).map((r) => r.nextSweepAt);

describe("finish-erasures' sweep of recent erasures", () => {
  it("sweeps each at the pass after it finished, then none a minute later; the next step sweeps them", async () => {
    const t0 = new Date();
    const { tenantId, customers, pass } = await erasedAt("Swept Once Burgers", t0, 3);

    expect(await pass(MINUTE)).toEqual({ acted: 0, outbox: [] });
    // Facts landing after that sweep wait for the next step: the pass a minute later looks at none of the erasures.
    await lateEvents(tenantId, customers, at(t0, MINUTE));
    expect(await pass(2 * MINUTE)).toEqual({ acted: 0, outbox: [] });
    expect(await rowsOfCustomers(analytics, tenantId, customers)).toBe(3);
    expect(await nextSweeps(tenantId)).toEqual(customers.map(() => at(t0, HOUR)));

    expect(await pass(HOUR + MINUTE)).toEqual({ acted: 3, outbox: [] });
    expect(await rowsOfCustomers(analytics, tenantId, customers)).toBe(0);
    expect(await nextSweeps(tenantId)).toEqual(customers.map(() => at(t0, 6 * HOUR)));
  });

  it("backs off to 8 days after ClickHouse's part was done, then sweeps no more", async () => {
    const t0 = new Date();
    const { tenantId, customers, pass } = await erasedAt("Backed Off Burgers", t0, 1);
    const steps: [number, number | null][] = [
      [MINUTE, HOUR],
      [HOUR, 6 * HOUR],
      // A late pass (the scheduler was down) goes on with the step ahead, not one it missed.
      [2 * DAY, 3 * DAY],
      [3 * DAY + MINUTE, 8 * DAY],
      [8 * DAY + MINUTE, null],
    ];
    for (const [passAfter, next] of steps) {
      await pass(passAfter);
      expect(await nextSweeps(tenantId)).toEqual([next === null ? null : at(t0, next)]);
    }

    await lateEvents(tenantId, customers, at(t0, 8 * DAY));
    expect(await pass(8 * DAY + 2 * MINUTE)).toEqual({ acted: 0, outbox: [] });
    expect(await rowsOfCustomers(analytics, tenantId, customers)).toBe(1);
  });

  it("sweeps at most 50 a pass, the longest waiting first, and the rest at the next pass", async () => {
    const t0 = new Date();
    const { tenantId } = await testTenant(db, "Dormant Clean-up Burgers");
    const batch = tag();
    const ids = Array.from({ length: 60 }, (_, i) => `cus_${batch}_${String(i).padStart(2, "0")}`);
    await db.customer.createMany({ data: ids.map((id) => ({ id, tenantId, createdVia: "pos", createdAt: t0 })) });
    // Finished a second apart, the first 30 minutes before the pass, none swept yet.
    const doneAt = (i: number) => at(t0, -30 * MINUTE + i * 1000);
    await db.erasureRequest.createMany({
      data: ids.map((customerId, i) => ({
        id: `era_${customerId}`,
        tenantId,
        customerId,
        requestedBy: "system:retention",
        reason: "inactivity",
        requestedAt: doneAt(i),
        postgresDoneAt: doneAt(i),
        clickhouseDoneAt: doneAt(i),
      })),
    });

    await finishErasures({ db, log, tenantId, now: t0, analytics });
    expect(await nextSweeps(tenantId)).toEqual(ids.map((_, i) => (i < 50 ? at(doneAt(i), HOUR) : null)));

    await finishErasures({ db, log, tenantId, now: at(t0, MINUTE), analytics });
    expect(await nextSweeps(tenantId)).toEqual(ids.map((_, i) => at(doneAt(i), HOUR)));
  });
});
