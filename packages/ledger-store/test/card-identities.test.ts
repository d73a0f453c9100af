import { type Db, prismaReader } from "@regulars/db";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { placeHold, quoteCheckout, saleHoldRefusals } from "../src/index.ts";
import { txMessage } from "./batch-fixtures.ts";
import { apply, checkoutTenant, givePoints, holdRequest, saleWithHold } from "./checkout-fixtures.ts";

// A card is its upper-case spelling (`identityOf`). Migration 0059 left a card two customers hold in other cases only
// (`Card-…` and `card-…`) for an admin to settle; until then every look-up names the oldest of them, never a new one.

let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(() => db?.$disconnect());

let n = 0;
/** Two customers holding one card in two cases, none in upper case: the older one holds the rarer spelling. */
async function contestedCard() {
  const { tenantId, customers, deps } = await checkoutTenant(db, 2);
  const [older, newer] = customers as [string, string];
  const card = `card-${String(++n).padStart(6, "0")}`;
  await db.customer.update({ where: { id: older }, data: { createdAt: new Date(Date.now() - 86_400_000) } });
  await db.customerIdentity.createMany({
    data: [
      { tenantId, kind: "card", value: `C${card.slice(1)}`, customerId: older },
      { tenantId, kind: "card", value: card, customerId: newer },
    ],
  });
  return { tenantId, deps, older, newer, card };
}

describe("a card only held in other cases by two customers", () => {
  it("is the oldest holder's in any case: a sale names them, and nobody new is enrolled", async () => {
    const { tenantId, older, card } = await contestedCard();
    const sales = [card, card.toUpperCase()].map((cardNumber) => txMessage(tenantId, { customer: { cardNumber } }));
    expect((await apply(db, sales)).outcomes).toEqual([{ kind: "done" }, { kind: "done" }]);
    const stored = await db.transaction.findMany({ where: { tenantId } });
    expect(stored.map((t) => t.customerId)).toEqual([older, older]);
    expect(await db.customer.count({ where: { tenantId } })).toBe(2);
  });

  it("quotes for the oldest holder, and a sale naming the card may end the oldest holder's hold", async () => {
    const { tenantId, deps, older, card } = await contestedCard();
    await givePoints(db, tenantId, older, 200);
    const quote = await quoteCheckout(deps, tenantId, { ...holdRequest(older), customer: { cardNumber: card } });
    expect(quote.points).toMatchObject({ balance: 200 });
    const placed = await placeHold(deps, tenantId, holdRequest(older, { points: 100 }));
    const sale = saleWithHold(tenantId, older, placed.holdId, placed.quote.lines, { customer: { cardNumber: card } });
    expect(await saleHoldRefusals(prismaReader(db), tenantId, [sale.transaction], new Date())).toEqual([null]);
  });

  it("is the upper-case spelling's holder's once there is one, however old the others", async () => {
    const { tenantId, newer, card } = await contestedCard();
    await db.customerIdentity.update({
      where: { tenantId_kind_value: { tenantId, kind: "card", value: card } },
      data: { value: card.toUpperCase() },
    });
    expect((await apply(db, [txMessage(tenantId, { customer: { cardNumber: card } })])).outcomes).toEqual([
      { kind: "done" },
    ]);
    expect((await db.transaction.findFirstOrThrow({ where: { tenantId } })).customerId).toBe(newer);
  });
});
