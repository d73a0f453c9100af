import type { HoldRequest, TransactionalSms } from "@regulars/contracts";
import { type Db, withTransaction } from "@regulars/db";
import { DomainError } from "@regulars/errors";
import { newId } from "@regulars/ids";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type CheckoutDeps,
  confirmHold,
  customerBalances,
  findBalanceDrift,
  type HoldDeps,
  maskPhone,
  placeHold,
  postMovements,
  quoteCheckout,
  voidHold,
} from "../src/index.ts";
import { apply, basket, checkoutTenant, givePoints, holdRequest, saleWithHold } from "./checkout-fixtures.ts";
import { smsSent } from "./sms-fixture.ts";

let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

const refusal = async (p: Promise<unknown>) => {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(DomainError);
  return e as DomainError;
};

let phones = 0;
/** A member with a phone (unless `phone` is null) and €20 of wallet cash. */
async function member({ phone = `+48600${String(100_000 + ++phones)}` }: { phone?: string | null } = {}) {
  const { tenantId, customers, deps } = await checkoutTenant(db);
  const customerId = customers[0]!;
  if (phone)
    await db.$executeRaw`
      INSERT INTO customer_identities (tenant_id, kind, value, customer_id) VALUES (${tenantId}, 'phone', ${phone}, ${customerId})`;
  await withTransaction(db, (tx) =>
    postMovements(tx, [
      {
        tenantId,
        customerId,
        kind: "bonus",
        unit: "wallet",
        amount: 2000,
        idempotencyKey: `gift:${newId("event")}`,
        occurredAt: new Date(Date.now() - 3_600_000),
      },
    ]),
  );
  return { tenantId, customerId, deps, phone };
}

/** €5 of wallet cash spent at a staffed till. */
const cashback = (customerId: string, extra: Parameters<typeof holdRequest>[1] = {}) =>
  holdRequest(customerId, { basket: { ...basket(), channel: "pos" }, wallet: 500, ...extra });

async function sentCode(tenantId: string, customerId: string): Promise<string> {
  const [last] = await smsSent(db, tenantId, customerId);
  return /\b(\d{6})\b/.exec(last!.body)![1]!;
}
const wrong = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, "0");

const holdRow = async (holdId: string) =>
  (
    await db.$queryRaw<{ status: string; ended_reason: string | null }[]>`
      SELECT status, ended_reason FROM checkout_holds WHERE id = ${holdId}`
  )[0];
const walletHeld = async (deps: CheckoutDeps, tenantId: string, customerId: string) =>
  (await quoteCheckout(deps, tenantId, holdRequest(customerId))).wallet.held;

describe("cashback at the till, confirmed by a one-time code", () => {
  it("sends a code by SMS to the customer's phone, keeps only its hash, and answers where it went", async () => {
    const { tenantId, customerId, deps, phone } = await member({ phone: "+48600100200" });
    const at = new Date();
    const placed = await placeHold({ ...deps, now: () => at }, tenantId, cashback(customerId));
    expect(placed.quote.wallet.applied).toBe(500);
    expect(placed.confirmation).toEqual({
      required: true,
      expiresAt: new Date(at.getTime() + 5 * 60_000).toISOString(),
      sentTo: "+48•••••200",
    });

    const messages = await smsSent(db, tenantId, customerId);
    expect(messages).toEqual([expect.objectContaining({ recipient: phone })]);
    expect(messages[0]!.body).toMatch(
      /^\d{6} is your Checkout Burgers \S+ code to pay €5\.00 from your wallet\. It expires in 5 minutes\./,
    );
    const code = await sentCode(tenantId, customerId);
    const [stored] = await db.$queryRaw<{ code_hash: string; sent_to: string }[]>`
      SELECT code_hash, sent_to FROM hold_confirmations WHERE hold_id = ${placed.holdId}`;
    expect(stored!.code_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(stored!.code_hash).not.toContain(code);
    expect(stored!.sent_to).toBe("+48•••••200");
  });

  it("writes the code in the customer's language, else the tenant's", async () => {
    const { tenantId, customerId, deps } = await member();
    await db.$executeRaw`UPDATE tenants SET language = 'de' WHERE id = ${tenantId}`;
    await placeHold(deps, tenantId, cashback(customerId));
    expect((await smsSent(db, tenantId, customerId))[0]!.body).toMatch(
      /^\d{6} ist dein Checkout Burgers \S+-Code, um 5,00 € mit deinem Guthaben zu bezahlen\. Gültig für 5 Min\./,
    );

    await db.$executeRaw`
      INSERT INTO customer_profiles (customer_id, tenant_id, preferences)
      VALUES (${customerId}, ${tenantId}, '{"language": "pl"}'::jsonb)
      ON CONFLICT (customer_id) DO UPDATE SET preferences = EXCLUDED.preferences`;
    await placeHold(deps, tenantId, cashback(customerId));
    expect((await smsSent(db, tenantId, customerId))[0]!.body).toMatch(
      /^\d{6} to Twój kod Checkout Burgers \S+ do zapłaty 5,00 € z portfela\. Wygasa za 5 min\./,
    );
  });

  it("hands the SMS to the sender in the hold's transaction, keyed by the hold and void when the code expires", async () => {
    const { tenantId, customerId, deps, phone } = await member();
    const handed: { sms: TransactionalSms; holdVisible: boolean }[] = [];
    const sending: HoldDeps = {
      ...deps,
      sendConfirmationSms: async (tx, sms) => {
        // Inside the hold's transaction: the hold it confirms is already there to see.
        const [hold] = await tx.$queryRaw<{ n: number }[]>`
          SELECT count(*)::int AS n FROM checkout_holds WHERE customer_id = ${sms.customerId} AND status = 'held'`;
        handed.push({ sms, holdVisible: hold!.n === 1 });
      },
    };
    const placed = await placeHold(sending, tenantId, cashback(customerId));
    expect(handed).toEqual([
      {
        sms: {
          tenantId,
          customerId,
          to: phone,
          body: expect.stringMatching(/^\d{6} is your /),
          key: `hold-code:${placed.holdId}`,
          expiresAt: new Date(placed.confirmation!.expiresAt),
          at: expect.any(Date),
        },
        holdVisible: true,
      },
    ]);
  });

  it("asks the code for wallet cash at an unattended kiosk, for a customer named by phone, card or id", async () => {
    const { tenantId, customerId, deps, phone } = await member();
    await db.$executeRaw`
      INSERT INTO customer_identities (tenant_id, kind, value, customer_id) VALUES (${tenantId}, 'card', 'CARD-7001', ${customerId})`;
    const atKiosk = (customer: HoldRequest["customer"]) => ({ ...holdRequest(customerId, { wallet: 500 }), customer });
    // An id is what a kiosk's look-up answers for a typed phone number too: it proves no more than the number.
    for (const customer of [{ phone: phone! }, { cardNumber: "card-7001" }, { id: customerId }]) {
      const placed = await placeHold(deps, tenantId, atKiosk(customer));
      expect(placed.confirmation).toMatchObject({ required: true, sentTo: maskPhone(phone!) });
    }
    expect(await smsSent(db, tenantId, customerId)).toHaveLength(3);
  });

  // No key is told apart: a hold does not know which placed it, so a kiosk's or an admin's asks the code as a till's.
  it("asks the code whatever channel its basket names", async () => {
    const { tenantId, customerId, deps } = await member();
    for (const channel of ["kiosk", "app", "web", "delivery", "pos"] as const) {
      const request = holdRequest(customerId, { basket: { ...basket(), channel }, wallet: 100 });
      const placed = await placeHold(deps, tenantId, request);
      expect(placed.confirmation, channel).toMatchObject({ required: true });
      // Voided and confirmed: the customer's unanswered codes are limited per day.
      await confirmHold(deps, tenantId, placed.holdId, await sentCode(tenantId, customerId));
      await voidHold(db, tenantId, placed.holdId);
    }
  });

  it("asks no code for points, coupons or rewards: only wallet cash is spendable on anything", async () => {
    const { tenantId, customerId, deps } = await member();
    await givePoints(db, tenantId, customerId, 100);
    const points = await placeHold(deps, tenantId, cashback(customerId, { wallet: 0, points: 100 }));
    expect(points.confirmation).toBeNull();
    expect(await smsSent(db, tenantId, customerId)).toEqual([]);
    expect((await refusal(confirmHold(deps, tenantId, points.holdId, "123456"))).code).toBe("conflict");
  });

  it("refuses cashback for a customer without a phone: nothing is reserved and nothing sent", async () => {
    const { tenantId, customerId, deps } = await member({ phone: null });
    const refused = await refusal(placeHold(deps, tenantId, cashback(customerId)));
    expect(refused.code).toBe("hold_refused");
    expect(refused.issues).toEqual([{ path: "wallet", message: expect.stringMatching(/^phone_required: .*phone/) }]);
    expect(await walletHeld(deps, tenantId, customerId)).toBe(0);
    expect(await smsSent(db, tenantId, customerId)).toEqual([]);
    expect(await db.$queryRaw`SELECT 1 FROM checkout_holds WHERE customer_id = ${customerId}`).toEqual([]);
  });

  it("a wrong code uses up an attempt and says how many are left; the right one confirms and the sale spends the cash", async () => {
    const { tenantId, customerId, deps } = await member();
    const placed = await placeHold(deps, tenantId, cashback(customerId));
    const code = await sentCode(tenantId, customerId);

    const failed = await refusal(confirmHold(deps, tenantId, placed.holdId, wrong(code)));
    expect(failed.code).toBe("confirmation_failed");
    expect(failed.message).toBe("wrong code: 4 attempts left");
    const confirmed = { holdId: placed.holdId, status: "held", confirmed: true };
    expect(await confirmHold(deps, tenantId, placed.holdId, code)).toEqual(confirmed);
    // A till retrying its request gets the same answer.
    expect(await confirmHold(deps, tenantId, placed.holdId, code)).toEqual(confirmed);

    await apply(db, [saleWithHold(tenantId, customerId, placed.holdId, placed.quote.lines, { channel: "pos" })]);
    expect((await customerBalances(db, tenantId, customerId)).wallet).toBe(2000 - 500);
    expect(await holdRow(placed.holdId)).toEqual({ status: "committed", ended_reason: null });
    expect(await confirmHold(deps, tenantId, placed.holdId, code)).toEqual({ ...confirmed, status: "committed" });
    expect(await findBalanceDrift(db, tenantId)).toEqual([]);
  });

  it("the last wrong attempt releases the hold: its cash is free again and the right code comes too late", async () => {
    const { tenantId, customerId, deps } = await member();
    const placed = await placeHold(deps, tenantId, cashback(customerId));
    const code = await sentCode(tenantId, customerId);
    const messages: string[] = [];
    for (let attempt = 0; attempt < 5; attempt++) {
      const failed = await refusal(confirmHold(deps, tenantId, placed.holdId, wrong(code)));
      expect(failed.code).toBe("confirmation_failed");
      messages.push(failed.message);
    }
    expect(messages).toEqual([
      "wrong code: 4 attempts left",
      "wrong code: 3 attempts left",
      "wrong code: 2 attempts left",
      "wrong code: 1 attempt left",
      "wrong code: no attempts left; the hold was released: place a new hold to send a new code",
    ]);
    expect(await holdRow(placed.holdId)).toEqual({ status: "released", ended_reason: "confirmation_failed" });
    expect(await walletHeld(deps, tenantId, customerId)).toBe(0);
    expect((await refusal(confirmHold(deps, tenantId, placed.holdId, code))).code).toBe("hold_ended");
  });

  it("a code tried after it expired is refused and releases the hold; a code never outlives its hold", async () => {
    const { tenantId, customerId, deps } = await member();
    const placed = await placeHold(deps, tenantId, cashback(customerId));
    const code = await sentCode(tenantId, customerId);
    const later = { ...deps, now: () => new Date(Date.parse(placed.confirmation!.expiresAt) + 1_000) };
    const expired = await refusal(confirmHold(later, tenantId, placed.holdId, code));
    expect(expired.code).toBe("confirmation_expired");
    expect(expired.message).toMatch(/expired at .*place a new hold/);
    expect(await holdRow(placed.holdId)).toEqual({ status: "released", ended_reason: "confirmation_expired" });
    expect(await walletHeld(deps, tenantId, customerId)).toBe(0);

    const short = await placeHold(deps, tenantId, cashback(customerId, { ttlSeconds: 60 }));
    expect(short.confirmation!.expiresAt).toBe(short.expiresAt);
  });

  it("an unconfirmed hold's sale spends no wallet cash", async () => {
    const { tenantId, customerId, deps } = await member();
    const placed = await placeHold(deps, tenantId, cashback(customerId));
    await apply(db, [saleWithHold(tenantId, customerId, placed.holdId, placed.quote.lines, { channel: "pos" })]);
    expect((await customerBalances(db, tenantId, customerId)).wallet).toBe(2000);
    expect(await holdRow(placed.holdId)).toEqual({ status: "held", ended_reason: null });
    expect(await findBalanceDrift(db, tenantId)).toEqual([]);
  });

  it("a hold of another tenant is not found", async () => {
    const a = await member();
    const b = await member();
    const placed = await placeHold(a.deps, a.tenantId, cashback(a.customerId));
    const code = await sentCode(a.tenantId, a.customerId);
    expect((await refusal(confirmHold(b.deps, b.tenantId, placed.holdId, code))).code).toBe("not_found");
    expect(await smsSent(db, b.tenantId, a.customerId)).toEqual([]);
  });
});
