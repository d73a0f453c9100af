import { ProgrammeConfig } from "@regulars/contracts";
import { type Db, withTransaction } from "@regulars/db";
import { silentLogger } from "@regulars/logger";
import type { ProgrammeInForce } from "@regulars/programme";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { applyTierDowngrades, customerBalances, expirePoints, postMovements, sendExpiryNotices } from "../src/index.ts";
import { expandOutbox, type OutboxItem } from "../src/outbox.ts";
import { base } from "./batch-fixtures.ts";
import { earnedLot, tenantWithCustomers } from "./fixtures.ts";

/**
 * Erasure keeps an erased customer's balance for the accounts, so the scheduled jobs go on moving it months later.
 * The movements are posted and their accounting facts announced under a pseudonym; no event goes out under their id,
 * nor one about the person (a notice to nobody, a tier change).
 */
let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

const WARSAW = "Europe/Warsaw";
const DAY = 86_400_000;
const programmeOf = (config: Record<string, unknown>): ProgrammeInForce => ({
  version: 2,
  config: ProgrammeConfig.parse({ rules: [base], ...config }),
  timezone: WARSAW,
  localZone: WARSAW,
});

async function liveAndErased(name: string) {
  const { tenantId, customers } = await tenantWithCustomers(db, 2, name);
  const [live, erased] = customers as [string, string];
  await db.$executeRaw`UPDATE customers SET erased_at = now() WHERE id = ${erased}`;
  return { tenantId, live, erased };
}

/** The customers the events published from these items name, as the relay expands them; a pseudonym as "anon". */
const announced = (items: OutboxItem[]) =>
  expandOutbox(items).map((i) => {
    const customerId = (i.payload as { customerId?: string }).customerId;
    return [i.type, customerId?.match(/^anon_[0-9a-f]{32}$/) ? "anon" : customerId];
  });

/** Every outbox row naming the customer, published or not. */
const outboxAbout = async (tenantId: string, customerId: string) =>
  db.$queryRaw<{ id: string }[]>`
    SELECT id FROM outbox_events WHERE tenant_id = ${tenantId} AND payload::text LIKE ${`%${customerId}%`}`;

it("expires an erased customer's dated lots without a notice, announced under a pseudonym", async () => {
  const now = new Date();
  const { tenantId, live, erased } = await liveAndErased("Erased expiry");
  const programme = programmeOf({ expiry: { kind: "after_earning", months: 12, noticeDays: 14 } });
  const earnedAt = new Date(now.getTime() - 355 * DAY);
  const expiresAt = new Date(now.getTime() + 10 * DAY);
  await withTransaction(db, (tx) =>
    postMovements(
      tx,
      [live, erased].map((customerId) =>
        earnedLot({ tenantId, customerId, amount: 80, key: `lot:${customerId}`, occurredAt: earnedAt, expiresAt }),
      ),
    ),
  );
  const ctx = (at: Date) => ({ db, log: silentLogger, tenantId, programme, now: at });

  const notices = await sendExpiryNotices(ctx(now));
  expect(announced(notices.outbox)).toEqual([["points.expiring", live]]);
  const expired = await expirePoints(ctx(new Date(now.getTime() + 11 * DAY)));
  expect(expired.acted).toBe(2);
  expect(announced(expired.outbox)).toEqual([
    ["points.expired", live],
    ["points.expired", "anon"],
  ]);
  expect((await customerBalances(db, tenantId, erased)).points).toBe(0);
  expect(await outboxAbout(tenantId, erased)).toEqual([]);
});

it("expires an erased customer's balance for inactivity on its date, with no notice to wait for", async () => {
  const now = new Date();
  const { tenantId, live, erased } = await liveAndErased("Erased inactivity");
  const programme = programmeOf({ expiry: { kind: "inactivity", months: 6, noticeDays: 14 } });
  const lastPurchase = new Date(now.getTime() - 200 * DAY);
  for (const customerId of [live, erased]) {
    await withTransaction(db, (tx) =>
      postMovements(tx, [
        earnedLot({ tenantId, customerId, amount: 40, key: `lot:${customerId}`, occurredAt: lastPurchase }),
      ]),
    );
    await db.customerLoyalty.create({ data: { customerId, tenantId, lastActivityAt: lastPurchase } });
  }
  const ctx = { db, log: silentLogger, tenantId, programme, now };

  // Overdue for both: the live customer is told and keeps the points a notice period more; nobody is left to tell.
  expect(announced((await sendExpiryNotices(ctx)).outbox)).toEqual([["points.expiring", live]]);
  const expired = await expirePoints(ctx);
  expect(expired.acted).toBe(1);
  expect(announced(expired.outbox)).toEqual([["points.expired", "anon"]]);
  expect((await customerBalances(db, tenantId, erased)).points).toBe(0);
  expect((await customerBalances(db, tenantId, live)).points).toBe(40);
  expect(await outboxAbout(tenantId, erased)).toEqual([]);
});

it("moves an erased customer's tier without announcing it", async () => {
  const now = new Date();
  const { tenantId, live, erased } = await liveAndErased("Erased tier");
  // A level the programme no longer has: every run places its holders at once, whatever the window.
  const programme = programmeOf({
    tiers: {
      basis: "points_earned",
      window: "lifetime",
      levels: [
        { id: "bronze", name: "Bronze", threshold: 0 },
        { id: "gold", name: "Gold", threshold: 500 },
      ],
    },
  });
  await db.customerLoyalty.createMany({
    data: [live, erased].map((customerId) => ({
      customerId,
      tenantId,
      tier: "platinum",
      tierSince: new Date(now.getTime() - 30 * DAY),
    })),
  });

  const result = await applyTierDowngrades({ db, log: silentLogger, tenantId, programme, now });
  expect(result.acted).toBe(2);
  expect(announced(result.outbox)).toEqual([["tier.changed", live]]);
  expect((await db.customerLoyalty.findUnique({ where: { customerId: erased } }))?.tier).toBe("bronze");
  expect(await outboxAbout(tenantId, erased)).toEqual([]);
});
