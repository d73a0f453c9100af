import type { Db } from "@regulars/db";
import { customerBalances } from "@regulars/ledger-store";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyAtTill, loyaltyTenant, outboxOf, tillMessage } from "./fixtures.ts";
import { mergeParties } from "./merge-fixtures.ts";

let db: Db;
const now = new Date();

beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

const { freshPhone, appAccount, provePhone, tillCustomer } = mergeParties(() => db, "+48606", now);
const coffeeCard = { id: "coffee", name: "Coffee", stampsRequired: 10, per: "visit", rewardPoints: 25 };
const progressOf = (customerId: string) =>
  db.stampCardProgress.findMany({ where: { customerId }, select: { cardId: true, stamps: true, completed: true } });

/** `visits` sales of 1.00 (a point and a stamp each), one a minute, the latest `fromMinute` minutes ago. */
const visits = (
  tenantId: string,
  customer: { phone: string } | { customerId: string },
  count: number,
  fromMinute = 1,
) => Array.from({ length: count }, (_, i) => tillMessage(tenantId, { ...customer, total: 100 }, now, fromMinute + i));

/** A till's regular with `tillStamps` stamps merged into an app account with `appStamps`. */
async function regularSignsUp(name: string, tillStamps: number, appStamps: number) {
  const { tenantId } = await loyaltyTenant(db, name, { stampCards: [coffeeCard] });
  const phone = freshPhone();
  const tillVisits = visits(tenantId, { phone }, tillStamps, 20);
  await applyAtTill(db, now, ...tillVisits);
  const till = await tillCustomer(tenantId, phone);
  const app = await appAccount(tenantId);
  await applyAtTill(db, now, ...visits(tenantId, { customerId: app }, appStamps, 40));
  await provePhone(tenantId, app, phone);
  return { tenantId, phone, till, app, tillVisits };
}

describe("merging a till's regular into the app account", () => {
  it("adds its stamps to the app account's card, and the next stamped sale completes the card as any sale does", async () => {
    const { tenantId, phone, till, app } = await regularSignsUp("Merge Stamps", 6, 3);
    expect(await progressOf(app)).toEqual([{ cardId: "coffee", stamps: 9, completed: 0 }]);
    expect(await progressOf(till)).toEqual([]);
    expect(await db.customerMerge.findUniqueOrThrow({ where: { mergedId: till } })).toMatchObject({
      moved: expect.objectContaining({ stampCards: 1 }),
    });

    await applyAtTill(db, now, ...visits(tenantId, { phone }, 1));

    expect(await progressOf(app)).toEqual([{ cardId: "coffee", stamps: 0, completed: 1 }]);
    expect(await outboxOf(db, tenantId, "stamp_card.completed")).toEqual([
      expect.objectContaining({ customerId: app, cardId: "coffee", completions: 1, rewardPoints: 25 }),
    ]);
    expect((await customerBalances(db, tenantId, app)).points).toBe(6 + 3 + 1 + 25);
  });

  it("keeps stamps beyond the card's size for the next stamped sale to complete; a refund completes none", async () => {
    const { tenantId, phone, app, tillVisits } = await regularSignsUp("Merge Stamps Over", 7, 5);
    expect(await progressOf(app)).toEqual([{ cardId: "coffee", stamps: 12, completed: 0 }]);

    // A refund of a visit made before the merge takes its stamp back from the app account's card.
    const refunded = tillVisits[0]!.transaction.externalId;
    await applyAtTill(
      db,
      now,
      tillMessage(tenantId, { phone, total: 100, type: "refund", refundOf: refunded }, now, 2),
    );
    expect(await progressOf(app)).toEqual([{ cardId: "coffee", stamps: 11, completed: 0 }]);

    await applyAtTill(db, now, ...visits(tenantId, { phone }, 1));

    expect(await progressOf(app)).toEqual([{ cardId: "coffee", stamps: 2, completed: 1 }]);
    expect(await outboxOf(db, tenantId, "stamp_card.completed")).toEqual([
      expect.objectContaining({ customerId: app, completions: 1, rewardPoints: 25 }),
    ]);
  });
});
