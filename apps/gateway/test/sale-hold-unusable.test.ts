import type { Db } from "@regulars/db";
import { newId } from "@regulars/ids";
import type { CreatedTenant } from "@regulars/tenancy";
import { testTenant } from "@regulars/testing";
import { beforeAll, describe, expect, it } from "vitest";
import { throttledGateway } from "./throttle-fixture.ts";

/**
 * A sale naming a held checkout hold that the ledger would not commit, although it is the hold's basket, is refused
 * before anything is stored: the till gave the hold's discounts already, and accepted, the sale would be processed
 * with none of them paid for. Such a hold still waits for its customer's one-time code, or was placed for another
 * customer than the sale's. An accepted sale claims its hold (`claimHeldHolds`), which the sweep then leaves to it.
 */
const fixture = throttledGateway();
const { clock, post, sale, lastSeq, keyIdOf } = fixture;
let db: Db;
let tenant: CreatedTenant;
beforeAll(async () => {
  db = fixture.db;
  tenant = await testTenant(db, "Hold Code Diner");
});

const lines = [{ sku: "BURGER", name: "Burger", quantity: 1, unitPrice: 1500, discount: 1500 }];
const inSeconds = (seconds: number) => new Date(clock.now.getTime() + seconds * 1000);

/**
 * A till's hold of €15 wallet cash on a burger, as `placeHold` stores one, for a new customer with a phone (or a
 * guest's, coupon uses only), waiting for its code when `code` says until when.
 */
async function tillHold(opts: { guest?: boolean; code?: { expiresInSeconds: number; confirmed?: boolean } } = {}) {
  const customerId = opts.guest ? null : newId("customer");
  const phone = `+48600${String(Math.floor(Math.random() * 900_000) + 100_000)}`;
  if (customerId) {
    await db.$executeRaw`INSERT INTO customers (id, tenant_id, created_via) VALUES (${customerId}, ${tenant.tenantId}, 'pos')`;
    await db.$executeRaw`
      INSERT INTO customer_identities (tenant_id, kind, value, customer_id) VALUES (${tenant.tenantId}, 'phone', ${phone}, ${customerId})`;
  }
  const holdId = newId("hold");
  const quote = {
    applied: [],
    lines: [{ lineNo: 0, sku: "BURGER", quantity: 1, discount: 1500, amount: 0 }],
    total: 0,
  };
  await db.$executeRaw`
    INSERT INTO checkout_holds (id, tenant_id, customer_id, status, wallet, quote, location_id, channel, expires_at)
    VALUES (${holdId}, ${tenant.tenantId}, ${customerId}, 'held', ${customerId ? 1500 : 0}, ${JSON.stringify(quote)}::jsonb,
            'store-017', 'pos', ${inSeconds(900)})`;
  if (opts.code)
    await db.$executeRaw`
      INSERT INTO hold_confirmations (hold_id, tenant_id, code_hash, max_attempts, expires_at, confirmed_at, sent_to)
      VALUES (${holdId}, ${tenant.tenantId}, 'ab', 5, ${inSeconds(opts.code.expiresInSeconds)},
              ${opts.code.confirmed ? clock.now : null}, '+48•••••000')`;
  return { holdId, customerId, phone };
}

const paying = (holdId: string, customer: { id: string } | { phone: string } | null, couponCodes: string[] = []) =>
  sale(couponCodes, { holdId, lines, channel: "pos", ...(customer ? { customer } : {}) });

const claimedAt = async (holdId: string) =>
  (await db.$queryRaw<{ claimed_at: Date | null }[]>`SELECT claimed_at FROM checkout_holds WHERE id = ${holdId}`)[0]!
    .claimed_at;

describe("a sale naming a held checkout hold the ledger would not commit", () => {
  it("is refused with hold_unconfirmed while the hold waits for its customer's code, and accepted once confirmed", async () => {
    const { holdId, customerId } = await tillHold({ code: { expiresInSeconds: 300 } });
    const before = await lastSeq();

    expect(await post("/v1/transactions", tenant.apiKeys.pos, paying(holdId, { id: customerId! }))).toMatchObject({
      status: 409,
      body: {
        code: "hold_unconfirmed",
        message: expect.stringContaining(`confirm it (POST /v1/checkout/holds/${holdId}/confirm), then post the sale`),
      },
    });
    expect(await lastSeq()).toBe(before);

    await db.$executeRaw`UPDATE hold_confirmations SET confirmed_at = ${clock.now} WHERE hold_id = ${holdId}`;
    expect(await post("/v1/transactions", tenant.apiKeys.pos, paying(holdId, { id: customerId! }))).toMatchObject({
      status: 202,
      body: { status: "accepted" },
    });
  });

  it("is refused with hold_unconfirmed when the code expired unconfirmed, the hold being released", async () => {
    const { holdId, customerId } = await tillHold({ code: { expiresInSeconds: -5 } });
    expect(await post("/v1/transactions", tenant.apiKeys.pos, paying(holdId, { id: customerId! }))).toMatchObject({
      status: 409,
      body: { code: "hold_unconfirmed", message: expect.stringContaining("expired at") },
    });
  });

  it("is refused with hold_mismatch naming `customer` when the sale is another customer's or names none", async () => {
    const { holdId } = await tillHold({ code: { expiresInSeconds: 300, confirmed: true } });
    const someoneElse = await tillHold();
    const before = await lastSeq();
    const others: ({ id: string } | { phone: string })[] = [
      { id: someoneElse.customerId! },
      { phone: someoneElse.phone },
      { phone: "+48600000001" },
    ];
    for (const customer of others)
      expect(await post("/v1/transactions", tenant.apiKeys.pos, paying(holdId, customer))).toMatchObject({
        status: 409,
        body: {
          code: "hold_mismatch",
          message: expect.stringContaining(`is not of the customer its hold ${holdId} was placed for`),
          issues: [{ path: "customer", message: "is not the customer the hold was placed for" }],
        },
      });
    expect(await post("/v1/transactions", tenant.apiKeys.pos, paying(holdId, null))).toMatchObject({
      status: 409,
      body: { code: "hold_mismatch", issues: [{ path: "customer", message: expect.stringContaining("is missing") }] },
    });
    expect(await lastSeq()).toBe(before);
  });

  it("is accepted from the hold's customer by any of their identities, and from anyone for a guest's hold", async () => {
    const own = await tillHold({ code: { expiresInSeconds: 300, confirmed: true } });
    expect((await post("/v1/transactions", tenant.apiKeys.pos, paying(own.holdId, { phone: own.phone }))).status).toBe(
      202,
    );
    const anyone = await tillHold();
    for (const customer of [{ id: anyone.customerId! }, null]) {
      const guests = await tillHold({ guest: true });
      expect((await post("/v1/transactions", tenant.apiKeys.pos, paying(guests.holdId, customer))).status).toBe(202);
    }
  });

  it("is refused with hold_used when another sale claimed the guest's hold first: a hold pays for one sale", async () => {
    const guests = await tillHold({ guest: true });
    const anyone = await tillHold();
    const first = paying(guests.holdId, { id: anyone.customerId! });
    expect((await post("/v1/transactions", tenant.apiKeys.pos, first)).status).toBe(202);
    const before = await lastSeq();
    expect(await post("/v1/transactions", tenant.apiKeys.pos, paying(guests.holdId, null))).toMatchObject({
      status: 409,
      body: { code: "hold_used", message: expect.stringContaining(`is claimed by sale ${first.externalId}`) },
    });
    expect(await lastSeq()).toBe(before);
  });

  it("is refused on its own in a batch, with its code", async () => {
    const waiting = await tillHold({ code: { expiresInSeconds: 300 } });
    const other = await tillHold();
    const batch = await post("/v1/transactions/batch", tenant.apiKeys.pos, {
      transactions: [
        paying(waiting.holdId, { id: waiting.customerId! }),
        paying(other.holdId, { id: other.customerId! }),
        paying(waiting.holdId, { id: other.customerId! }),
      ],
    });
    expect(batch).toMatchObject({
      status: 202,
      body: {
        accepted: 1,
        invalid: 2,
        results: [
          { index: 0, status: "invalid", error: { code: "hold_unconfirmed" } },
          { index: 1, status: "accepted" },
          { index: 2, status: "invalid", error: { code: "hold_mismatch", issues: [{ path: "customer" }] } },
        ],
      },
    });
  });

  it("leaves the hold unclaimed, where an accepted sale claims its hold for the ledger, however late it applies it", async () => {
    const waiting = await tillHold({ code: { expiresInSeconds: 300 } });
    expect((await post("/v1/transactions", tenant.apiKeys.pos, paying(waiting.holdId, null))).status).toBe(409);
    expect(await claimedAt(waiting.holdId)).toBeNull();

    const own = await tillHold({ code: { expiresInSeconds: 300, confirmed: true } });
    const accepted = paying(own.holdId, { id: own.customerId! });
    expect((await post("/v1/transactions", tenant.apiKeys.pos, accepted)).status).toBe(202);
    expect(await claimedAt(own.holdId)).toEqual(clock.now);
  });
});

/**
 * A sale claims its hold once it passed the gateway's checks, just before it is stored: one refused by them (its
 * coupon codes throttled) claims nothing, or its hold would stay reserved past its expiry for no sale. One that proves
 * a changed body under a used `externalId` is told so only once published, after the claim: its hold stays reserved
 * for the claim's grace after its expiry (`CLAIM_GRACE_MS`) at most, the price of never storing a sale unclaimed.
 */
describe("a sale naming a held hold that is refused after the hold's checks", () => {
  it("claims nothing when its key is throttled for unknown coupon codes, alone or in a batch", async () => {
    // The till's key: its holds are the pos channel's, which only a pos key may post.
    const till = tenant.apiKeys.pos;
    await db.$executeRaw`
      INSERT INTO coupon_code_misses (tenant_id, credential_id, window_started_at, misses)
      VALUES (${tenant.tenantId}, ${await keyIdOf(tenant.tenantId, "pos")}, ${clock.now}, 3)`;
    const alone = await tillHold();
    expect(
      (await post("/v1/transactions", till, paying(alone.holdId, { id: alone.customerId! }, ["GUESS-1AB"]))).status,
    ).toBe(429);
    expect(await claimedAt(alone.holdId)).toBeNull();

    const throttled = await tillHold();
    const stored = await tillHold();
    const batch = await post("/v1/transactions/batch", till, {
      transactions: [
        paying(throttled.holdId, { id: throttled.customerId! }, ["GUESS-2AB"]),
        paying(stored.holdId, { id: stored.customerId! }),
      ],
    });
    expect(batch).toMatchObject({ status: 202, body: { accepted: 1, throttled: 1 } });
    expect(await claimedAt(throttled.holdId)).toBeNull();
    expect(await claimedAt(stored.holdId)).toEqual(clock.now);
  });

  it("claims its hold for the grace only when it is a changed body under an externalId stored before", async () => {
    const first = await tillHold();
    const second = await tillHold();
    const original = paying(first.holdId, { id: first.customerId! });
    expect((await post("/v1/transactions", tenant.apiKeys.pos, original)).status).toBe(202);
    const changed = { ...paying(second.holdId, { id: second.customerId! }), externalId: original.externalId };
    expect(await post("/v1/transactions", tenant.apiKeys.pos, changed)).toMatchObject({
      status: 409,
      body: { code: "idempotency_conflict" },
    });
    expect(await claimedAt(first.holdId)).toEqual(clock.now);
    // Claimed before the conflict was known: the sweep leaves the hold alone only until the grace after its expiry.
    expect(await claimedAt(second.holdId)).toEqual(clock.now);
  });
});
