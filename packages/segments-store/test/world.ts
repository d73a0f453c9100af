import type { Analytics } from "@regulars/analytics";
import type { Db } from "@regulars/db";
import { addCustomer, ago, behaviouralEvent, fact, pointsEarned, recordFacts } from "./fixtures.ts";

/**
 * One tenant's customers with known answers (docs of each figure in the comments), as of `now`:
 * - alice: gold, e-mail, push marketing granted, birthday in 3 days, registered 2 days ago; sales 5, 10 and 20
 *   days ago (1000, 2000, 3000) at loc_1 and a refund of 500 two days ago: 3 orders, value 5500, average 1833,
 *   veg 3 of 6 items (0.5); two app opens and a points.earned this week.
 * - bob: silver, phone, push marketing granted then withdrawn; one sale 100 days ago (5000, meat) at loc_2.
 * - carol: nothing at all (never ordered).
 * - dave: birthday in 10 days; sales 3 days ago (800, veg 1 + meat 1, WRAP, at loc_2, delivered twice) and
 *   6 days ago (700, meat 1): 2 orders, value 1500, average 750, veg 1 of 3 (0.3333).
 * - erin: sales 4 days and 1 hour ago (900, veg 3) and 50 days ago (900, meat 1): 1 order in 30 days, veg 0.75.
 */
export async function buildWorld(
  db: Db,
  analytics: Analytics,
  tenant: { tenantId: string; timezone: string },
  now: Date,
) {
  const { tenantId } = tenant;
  const alice = await addCustomer(db, analytics, tenant, now, {
    tier: "gold",
    email: true,
    birthdayInDays: 3,
    registeredDaysAgo: 2,
    consents: [{ channel: "push", purpose: "marketing", granted: true }],
  });
  const bob = await addCustomer(db, analytics, tenant, now, {
    tier: "silver",
    phone: true,
    consents: [
      { channel: "push", purpose: "marketing", granted: true },
      { channel: "push", purpose: "marketing", granted: false },
    ],
  });
  const carol = await addCustomer(db, analytics, tenant, now);
  const dave = await addCustomer(db, analytics, tenant, now, { birthdayInDays: 10 });
  const erin = await addCustomer(db, analytics, tenant, now);

  const veg = (quantity: number, sku = "SALAD") => ({ sku, category: "mains", tags: ["vegetarian"], quantity });
  const meat = (quantity: number) => ({ sku: "BURGER", category: "mains", tags: ["meat"], quantity });
  const daveWrap = fact(tenantId, dave, now, {
    daysAgo: 3,
    total: 800,
    location: "loc_2",
    lines: [veg(1, "WRAP"), meat(1)],
  });
  await recordFacts(db, analytics, [
    fact(tenantId, alice, now, { daysAgo: 5, total: 1000, lines: [veg(2)] }),
    fact(tenantId, alice, now, { daysAgo: 10, total: 2000, lines: [veg(1), meat(1)] }),
    fact(tenantId, alice, now, { daysAgo: 20, total: 3000, lines: [{ sku: "COLA", category: "drinks", quantity: 2 }] }),
    fact(tenantId, alice, now, { daysAgo: 2, total: 500, kind: "refund", lines: [veg(1)] }),
    fact(tenantId, bob, now, { daysAgo: 100, total: 5000, location: "loc_2", lines: [meat(2)] }),
    daveWrap,
    fact(tenantId, dave, now, { daysAgo: 6, total: 700, lines: [meat(1)] }),
    fact(tenantId, erin, now, { daysAgo: 4 + 1 / 24, total: 900, lines: [veg(3)] }),
    fact(tenantId, erin, now, { daysAgo: 50, total: 900, lines: [meat(1)] }),
  ]);
  // A redelivered batch: the same facts again, which no figure may count twice.
  await recordFacts(db, analytics, [daveWrap]);
  await behaviouralEvent(analytics, tenantId, alice, "app_open", ago(now, 1));
  await behaviouralEvent(analytics, tenantId, alice, "app_open", ago(now, 2));
  await behaviouralEvent(analytics, tenantId, dave, "app_open", ago(now, 20));
  await pointsEarned(analytics, tenantId, alice, ago(now, 1));
  return { alice, bob, carol, dave, erin };
}
