import type { TransactionMessage } from "@regulars/contracts";
import { type Db, withTransaction } from "@regulars/db";
import { newId } from "@regulars/ids";
import { ProgrammeCache } from "@regulars/programme";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  confirmHold,
  customerBalances,
  findBalanceDrift,
  type HoldDeps,
  placeHold,
  postMovements,
} from "../src/index.ts";
import { line, refundOf, tenantWithProgramme, txMessage } from "./batch-fixtures.ts";
import { apply, checkoutProgramme, givePoints, holdRequest } from "./checkout-fixtures.ts";
import { smsInTransaction } from "./sms-fixture.ts";

let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

const visits = { id: "visits", name: "10th visit free", stampsRequired: 10 };
const fries = { id: "fries", name: "10 fries", stampsRequired: 10, per: "item", match: { skus: ["FRIES"] } };
const lines = [line("BURGER", 1200), line("FRIES", 400, { quantity: 2 })];

async function walletCustomer(wallet: number) {
  const tenantId = await tenantWithProgramme(
    db,
    { ...checkoutProgramme, stampCards: [visits, fries] },
    "Stamp Burgers",
  );
  const customerId = newId("customer");
  await db.customer.create({ data: { id: customerId, tenantId, createdVia: "test" } });
  await withTransaction(db, (tx) =>
    postMovements(tx, [
      {
        tenantId,
        customerId,
        kind: "bonus",
        unit: "wallet",
        amount: wallet,
        idempotencyKey: `gift:${newId("event")}`,
        occurredAt: new Date(Date.now() - 3_600_000),
      },
    ]),
  );
  // A phone to receive the code a hold spending wallet cash may wait for.
  await db.$executeRaw`
    INSERT INTO customer_identities (tenant_id, kind, value, customer_id)
    VALUES (${tenantId}, 'phone', ${`+48603${String(100_000 + ++phones)}`}, ${customerId})`;
  const codes: string[] = [];
  const deps: HoldDeps = {
    db,
    programmes: new ProgrammeCache(db, 0),
    sendConfirmationSms: async (tx, sms) => {
      codes.push(/\b(\d{6})\b/.exec(sms.body)![1]!);
      await smsInTransaction(tx, sms);
    },
  };
  return { tenantId, customerId, deps, codes };
}
let phones = 0;

/** The sale the kiosk posts after its hold: each line's discount from the quote (wallet cash included). */
async function heldSale(
  c: Awaited<ReturnType<typeof walletCustomer>>,
  selection: { wallet?: number; points?: number; rewardIds?: string[] },
  basketLines: ReturnType<typeof line>[] = lines,
): Promise<TransactionMessage> {
  const basket = { locationId: "store-001", channel: "kiosk" as const, currency: "EUR", lines: basketLines };
  const placed = await placeHold(c.deps, c.tenantId, holdRequest(c.customerId, { basket, ...selection }));
  // Read out at the till when the hold waits for the customer's code, so its sale spends what it holds.
  if (placed.confirmation) await confirmHold(c.deps, c.tenantId, placed.holdId, c.codes.at(-1)!);
  const posted = basketLines.map((l, i) => ({ ...l, discount: placed.quote.lines[i]!.discount }));
  return txMessage(c.tenantId, {
    customer: { id: c.customerId },
    channel: "kiosk",
    lines: posted,
    holdId: placed.holdId,
  });
}

const progress = async (customerId: string) =>
  Object.fromEntries((await db.stampCardProgress.findMany({ where: { customerId } })).map((p) => [p.cardId, p.stamps]));

describe("stamp cards on a sale paid with wallet cash", () => {
  it("a €20 basket paid from the wallet stamps the visit and item cards, once, and earns no points", async () => {
    const c = await walletCustomer(5000);
    const sale = await heldSale(c, { wallet: 2000 });
    expect(sale.transaction.total).toBe(0);
    await apply(db, [sale]);
    expect(await customerBalances(db, c.tenantId, c.customerId)).toMatchObject({ wallet: 3000, points: 0 });
    expect(await progress(c.customerId)).toEqual({ visits: 1, fries: 2 });

    await apply(db, [sale]); // redelivered
    expect(await progress(c.customerId)).toEqual({ visits: 1, fries: 2 });
    expect(await customerBalances(db, c.tenantId, c.customerId)).toMatchObject({ wallet: 3000, points: 0 });
  });

  it("a refund takes the stamps back as for a card payment: the visit with the whole sale, fries by unit", async () => {
    const c = await walletCustomer(5000);
    const sale = await heldSale(c, { wallet: 2000 });
    await apply(db, [sale]);
    const [burger, twoFries] = sale.transaction.lines.map((l, lineNo) => ({ ...l, lineNo }));
    const refund = (refunded: Record<string, unknown>[]) =>
      refundOf(c.tenantId, sale, refunded, { customer: { id: c.customerId } });

    // One of the two fries: one fries stamp back, the visit stays (the burger and a fries are kept).
    await apply(db, [refund([{ ...twoFries!, quantity: 1, discount: twoFries!.discount / 2 }])]);
    expect(await progress(c.customerId)).toEqual({ visits: 1, fries: 1 });
    await apply(db, [refund([burger!, { ...twoFries!, quantity: 1, discount: twoFries!.discount / 2 }])]);
    expect(await progress(c.customerId)).toEqual({ visits: 0, fries: 0 });
    expect(await customerBalances(db, c.tenantId, c.customerId)).toMatchObject({ wallet: 5000, points: 0 });
    expect(await findBalanceDrift(db, c.tenantId)).toEqual([]);
  });

  it("only the wallet's share stamps: the part points paid does not", async () => {
    const c = await walletCustomer(5000);
    await givePoints(db, c.tenantId, c.customerId, 200);
    // 200 points take €10 off (spread over the lines), the wallet pays the other €10: €4 of the fries' €8, one of two.
    const sale = await heldSale(c, { points: 200, wallet: 1000 });
    expect(sale.transaction.total).toBe(0);
    await apply(db, [sale]);
    expect(await customerBalances(db, c.tenantId, c.customerId)).toMatchObject({ wallet: 4000, points: 0 });
    expect(await progress(c.customerId)).toEqual({ visits: 1, fries: 1 });
  });
});

describe("a visit's refund and the lines that cost no money", () => {
  it("refunding every line that took money takes the visit back when the rest was given away by the till", async () => {
    const tenantId = await tenantWithProgramme(db, { rules: [], stampCards: [visits] }, "Stamp Burgers");
    const customerId = newId("customer");
    await db.customer.create({ data: { id: customerId, tenantId, createdVia: "test" } });
    const sale = txMessage(tenantId, {
      customer: { id: customerId },
      lines: [line("BURGER", 1200), line("FRIES", 800, { discount: 800 })],
    });
    await apply(db, [sale]);
    expect(await progress(customerId)).toEqual({ visits: 1 });

    const burger = { ...sale.transaction.lines[0]!, lineNo: 0 };
    await apply(db, [refundOf(tenantId, sale, [burger], { customer: { id: customerId } })]);
    expect(await progress(customerId)).toEqual({ visits: 0 });
  });

  it("a line paid from the wallet must be named, one the till gave away need not", async () => {
    const c = await walletCustomer(5000);
    const toy = line("TOY", 300, { discount: 300 });
    const sale = await heldSale(c, { wallet: 2000 }, [...lines, toy]);
    expect(sale.transaction.total).toBe(0);
    await apply(db, [sale]);
    expect(await progress(c.customerId)).toEqual({ visits: 1, fries: 2 });
    const [burger, twoFries] = sale.transaction.lines.map((l, lineNo) => ({ ...l, lineNo }));
    const refund = (refunded: Record<string, unknown>[]) =>
      refundOf(c.tenantId, sale, refunded, { customer: { id: c.customerId } });

    // The fries paid from the wallet are kept: still a paid visit.
    await apply(db, [refund([burger!])]);
    expect(await progress(c.customerId)).toEqual({ visits: 1, fries: 2 });
    await apply(db, [refund([twoFries!])]);
    expect(await progress(c.customerId)).toEqual({ visits: 0, fries: 0 });
  });
});
