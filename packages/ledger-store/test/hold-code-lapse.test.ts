import { type Db, withTransaction } from "@regulars/db";
import { DomainError } from "@regulars/errors";
import { newId } from "@regulars/ids";
import { createLogger } from "@regulars/logger";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  confirmHold,
  type HoldDeps,
  placeHold,
  postMovements,
  quoteCheckout,
  releaseExpiredHolds,
} from "../src/index.ts";
import { basket, checkoutTenant, holdRequest } from "./checkout-fixtures.ts";
import { smsSent } from "./sms-fixture.ts";

/**
 * A till's hold waits for the code sent to its customer "until when the code can be used; after that the hold is
 * released" (the API's `confirmation.expiresAt`): past it, unconfirmed, the hold reserves nothing, and the sweep or a
 * new hold of the customer releases it, as a confirmation tried too late does, without waiting for the hold's expiry.
 */
let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

let phones = 0;
/** A member with a phone and €20 of wallet cash, and a till's hold of €5 of it, waiting for its code for a day. */
async function waitingHold() {
  const { tenantId, customers, deps } = await checkoutTenant(db);
  const customerId = customers[0]!;
  const phone = `+48601${String(100_000 + ++phones)}`;
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
  const atTill = { basket: { ...basket(), channel: "pos" as const }, wallet: 500, ttlSeconds: 86_400 };
  const placed = await placeHold(deps, tenantId, holdRequest(customerId, atTill));
  const codeExpiry = Date.parse(placed.confirmation!.expiresAt);
  expect(codeExpiry).toBeLessThan(Date.parse(placed.expiresAt));
  return { tenantId, customerId, deps, placed, codeExpiry };
}

const holdRow = async (holdId: string) =>
  (
    await db.$queryRaw<{ status: string; ended_reason: string | null }[]>`
      SELECT status, ended_reason FROM checkout_holds WHERE id = ${holdId}`
  )[0];

const sweep = async (deps: HoldDeps, tenantId: string, now: Date) =>
  releaseExpiredHolds({
    db,
    log: createLogger({ level: "silent" }),
    tenantId,
    programme: (await deps.programmes.inForce(tenantId, now))!,
    now,
  });

async function sentCode(tenantId: string, customerId: string): Promise<string> {
  const [last] = await smsSent(db, tenantId, customerId);
  return /\b(\d{6})\b/.exec(last!.body)![1]!;
}

describe("a till's hold whose code expired unconfirmed", () => {
  it("is released by the sweep before the hold's own expiry; a confirmed one is left held", async () => {
    const { tenantId, customerId, deps, placed, codeExpiry } = await waitingHold();
    const confirmed = await waitingHold();
    const code = await sentCode(confirmed.tenantId, confirmed.customerId);
    await confirmHold(confirmed.deps, confirmed.tenantId, confirmed.placed.holdId, code);
    const afterCode = new Date(codeExpiry + 1_000);

    expect((await sweep(deps, tenantId, new Date(codeExpiry - 1_000))).acted).toBe(0);
    expect(await holdRow(placed.holdId)).toEqual({ status: "held", ended_reason: null });
    expect((await sweep(deps, tenantId, afterCode)).acted).toBe(1);
    expect(await holdRow(placed.holdId)).toEqual({ status: "released", ended_reason: "confirmation_expired" });
    const later = { ...deps, now: () => afterCode };
    expect((await quoteCheckout(later, tenantId, holdRequest(customerId))).wallet.held).toBe(0);

    await sweep(confirmed.deps, confirmed.tenantId, new Date(confirmed.codeExpiry + 1_000));
    expect(await holdRow(confirmed.placed.holdId)).toEqual({ status: "held", ended_reason: null });

    // The code tried after that answers as a code tried too late always did.
    const late = await confirmHold(later, tenantId, placed.holdId, await sentCode(tenantId, customerId)).catch(
      (e: unknown) => e,
    );
    expect(late).toBeInstanceOf(DomainError);
    expect(late).toMatchObject({ code: "confirmation_expired", message: expect.stringMatching(/released/) });
  });

  it("is released by a new hold of its customer", async () => {
    const { tenantId, customerId, deps, placed, codeExpiry } = await waitingHold();
    const later = { ...deps, now: () => new Date(codeExpiry + 1_000) };
    await placeHold(later, tenantId, holdRequest(customerId, { wallet: 1500 }));
    expect(await holdRow(placed.holdId)).toEqual({ status: "released", ended_reason: "confirmation_expired" });
  });

  it("reserves nothing from then on, before any sweep, for quotes and new holds alike", async () => {
    const { tenantId, customerId, deps, codeExpiry } = await waitingHold();
    const at = (ms: number) => ({ ...deps, now: () => new Date(ms) });
    expect((await quoteCheckout(at(codeExpiry - 1_000), tenantId, holdRequest(customerId))).wallet.held).toBe(500);
    expect((await quoteCheckout(at(codeExpiry + 1_000), tenantId, holdRequest(customerId))).wallet.held).toBe(0);
    // The whole €16 basket from the €20 wallet: refused while the lapsed hold's €5 still counted as reserved.
    await placeHold(at(codeExpiry + 1_000), tenantId, holdRequest(customerId, { wallet: 1600 }));
  });
});
