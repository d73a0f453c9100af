import { type Db, withTransaction } from "@regulars/db";
import { DomainError } from "@regulars/errors";
import { newId } from "@regulars/ids";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { customerConfirmationLimits } from "../src/holds/confirmation-limits.ts";
import { confirmHold, type HoldDeps, placeHold, postMovements, voidHold } from "../src/index.ts";
import { basket, checkoutTenant, holdRequest } from "./checkout-fixtures.ts";
import { smsSent } from "./sms-fixture.ts";

/**
 * A code's 5 attempts bound the guesses on one hold; a till placing hold after hold for one customer must not guess
 * on without end, nor send them an SMS each time. Per customer over a day: 10 wrong codes, 5 codes never confirmed.
 */
let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

const DAY = customerConfirmationLimits.windowMs;

/**
 * A member with a phone and €100 of wallet cash; their holds and codes on a clock fixed at `at` (`clock` moves it), and
 * the codes they were sent, newest last.
 */
async function member() {
  const { tenantId, customers, deps } = await checkoutTenant(db);
  const customerId = customers[0]!;
  await db.$executeRaw`
    INSERT INTO customer_identities (tenant_id, kind, value, customer_id)
    VALUES (${tenantId}, 'phone', '+48600999111', ${customerId})`;
  const at = new Date();
  await withTransaction(db, (tx) =>
    postMovements(tx, [
      {
        tenantId,
        customerId,
        kind: "bonus",
        unit: "wallet",
        amount: 10_000,
        idempotencyKey: `gift:${newId("event")}`,
        occurredAt: new Date(at.getTime() - 3_600_000),
      },
    ]),
  );
  const codes: string[] = [];
  const clock = (ms: number): HoldDeps => ({
    ...deps,
    now: () => new Date(at.getTime() + ms),
    sendConfirmationSms: async (tx, sms) => {
      codes.push(/\b(\d{6})\b/.exec(sms.body)![1]!);
      return deps.sendConfirmationSms(tx, sms);
    },
  });
  const lastCode = () => codes.at(-1)!;
  return { tenantId, customerId, deps: clock(0), clock, lastCode };
}

const cashback = (customerId: string) =>
  holdRequest(customerId, { basket: { ...basket(), channel: "pos" }, wallet: 500 });

/** The domain error `p` fails with, or null when it succeeds. */
const failure = (p: Promise<unknown>): Promise<DomainError | null> =>
  p.then(
    () => null,
    (e: unknown) => (e instanceof DomainError ? e : Promise.reject(e)),
  );

const wrong = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, "0");

/** Places a till's cashback hold and tries 5 wrong codes on it: the refusal of the hold, or what each try answered. */
async function holdAndGuess(m: Awaited<ReturnType<typeof member>>) {
  const { tenantId, customerId, deps } = m;
  let holdId: string;
  try {
    holdId = (await placeHold(deps, tenantId, cashback(customerId))).holdId;
  } catch (e) {
    if (e instanceof DomainError) return { refused: e, guesses: [] as string[] };
    throw e;
  }
  const guesses: string[] = [];
  for (let i = 0; i < 5; i++)
    guesses.push((await failure(confirmHold(deps, tenantId, holdId, wrong(m.lastCode()))))!.message);
  return { refused: null, guesses };
}

describe("a customer's codes, limited across all their holds", () => {
  it("after 10 wrong codes in a day, refuses new cashback holds with no SMS, until the day has passed", async () => {
    const m = await member();
    const { tenantId, customerId, clock } = m;
    const outcomes = [];
    for (let hold = 0; hold < 12; hold++) outcomes.push(await holdAndGuess(m));

    expect(outcomes.filter((o) => o.refused === null)).toHaveLength(2);
    expect(outcomes.flatMap((o) => o.guesses)).toHaveLength(10);
    expect(outcomes[1]!.guesses.at(-1)).toBe(
      "wrong code: no attempts left; the hold was released: no code is sent to this customer until later",
    );
    const refused = outcomes[2]!.refused!;
    expect(refused.code).toBe("hold_refused");
    expect(refused.issues).toEqual([
      { path: "wallet", message: expect.stringMatching(/^confirmation_locked: 10 wrong codes .* 24 h/) },
    ]);
    expect(await smsSent(db, tenantId, customerId)).toHaveLength(2);
    const [held] = await db.$queryRaw<{ n: number }[]>`
      SELECT count(*)::int AS n FROM checkout_holds WHERE customer_id = ${customerId} AND status = 'held'`;
    expect(held!.n).toBe(0);

    const nextDay = clock(DAY + 1_000);
    expect((await placeHold(nextDay, tenantId, cashback(customerId))).confirmation).not.toBeNull();
  });

  it("counts wrong codes on every hold: one placed before the limit checks no code after, right or not", async () => {
    const m = await member();
    const { tenantId, customerId, deps } = m;
    const waiting = await placeHold(deps, tenantId, cashback(customerId));
    const code = m.lastCode();
    await holdAndGuess(m);
    const second = await holdAndGuess(m);
    expect(second.guesses.at(-1)).toMatch(/no code is sent to this customer until later$/);

    const locked = (await failure(confirmHold(deps, tenantId, waiting.holdId, code)))!;
    expect(locked.code).toBe("confirmation_failed");
    expect(locked.message).toMatch(/^10 wrong codes .*: no code is checked until later; the hold was released$/);
    const [row] = await db.$queryRaw<{ status: string; ended_reason: string }[]>`
      SELECT status, ended_reason FROM checkout_holds WHERE id = ${waiting.holdId}`;
    expect(row).toEqual({ status: "released", ended_reason: "confirmation_locked" });
  });

  it("says how many attempts the customer has left when fewer than the hold's", async () => {
    const m = await member();
    const { tenantId, customerId, deps } = m;
    await holdAndGuess(m);
    const placed = await placeHold(deps, tenantId, cashback(customerId));
    await failure(confirmHold(deps, tenantId, placed.holdId, wrong(m.lastCode())));
    const next = await placeHold(deps, tenantId, cashback(customerId));
    const answer = await failure(confirmHold(deps, tenantId, next.holdId, wrong(m.lastCode())));
    // 7 wrong codes so far: 3 left of the customer's 10, fewer than the new hold's 4.
    expect(answer!.message).toBe("wrong code: 3 attempts left");
  });

  it("after 5 codes never confirmed in a day, sends no more; a confirmed code does not count", async () => {
    const { tenantId, customerId, deps, clock, lastCode } = await member();
    const confirmed = await placeHold(deps, tenantId, cashback(customerId));
    await confirmHold(deps, tenantId, confirmed.holdId, lastCode());
    for (let i = 0; i < 5; i++) {
      const unanswered = await placeHold(deps, tenantId, cashback(customerId));
      await voidHold(db, tenantId, unanswered.holdId);
    }
    const refused = (await failure(placeHold(deps, tenantId, cashback(customerId))))!;
    expect(refused.code).toBe("hold_refused");
    expect(refused.issues).toEqual([
      { path: "wallet", message: expect.stringMatching(/^confirmation_locked: 5 codes sent .* went unconfirmed/) },
    ]);
    expect(await smsSent(db, tenantId, customerId)).toHaveLength(6);
    // The next day the customer may spend wallet cash again.
    const nextDay = clock(DAY + 1_000);
    expect((await placeHold(nextDay, tenantId, cashback(customerId))).confirmation).not.toBeNull();
  });
});
