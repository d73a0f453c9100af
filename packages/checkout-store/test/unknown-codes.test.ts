import { unknownCodeDefaults } from "@regulars/checkout";
import { type HoldRequest, QuoteRequest } from "@regulars/contracts";
import type { Db } from "@regulars/db";
import type { HoldDeps } from "@regulars/ledger-store";
import { ProgrammeCache } from "@regulars/programme";
import { testDb, testPoolReader } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type CodeTrier,
  countUnknownCodes,
  holdCountingUnknownCodes,
  quoteCountingUnknownCodes,
  UnknownCodesThrottled,
} from "../src/index.ts";
import { campaignOf, couponTenant, generic, rejection } from "./coupons-fixtures.ts";

let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

const { limit, windowSeconds } = unknownCodeDefaults;
const basket = {
  locationId: "store-001",
  channel: "kiosk" as const,
  currency: "EUR",
  lines: [{ sku: "FRIES", name: "Fries", quantity: 1, unitPrice: 400, discount: 0, tags: [] }],
};
const quoteOf = (...couponCodes: string[]) => QuoteRequest.parse({ basket, couponCodes });
let guesses = 0;
const guess = () => `NOPE-${(++guesses).toString(36).toUpperCase().padStart(6, "0")}`;

/** A tenant with one generic code, a customer, and a checkout whose clock the test moves. */
async function throttledCheckout() {
  const { tenantId, customers } = await couponTenant(db, 1);
  await campaignOf(db, tenantId, generic("FRIES-HALF"));
  const clock = { now: new Date() };
  const deps: HoldDeps = {
    db,
    programmes: new ProgrammeCache(db, 0),
    sendConfirmationSms: async () => {},
    now: () => clock.now,
  };
  const keyOf = (credentialId: string): CodeTrier => ({ tenantId, credentialId });
  const later = (seconds: number) => new Date(clock.now.getTime() + seconds * 1000);
  return { tenantId, customer: customers[0]!, clock, deps, keyOf, later };
}

const outcomes = (quote: { coupons: { selected: boolean; refusal: { code: string } | null }[] }) =>
  quote.coupons.filter((c) => c.selected).map((c) => c.refusal?.code ?? "applied");

describe("unknown coupon codes per credential", () => {
  it("answers 20 unknown codes, refuses the 21st as rate_limited until the window passes, then answers again", async () => {
    const { clock, deps, keyOf, later } = await throttledCheckout();
    const till = keyOf("key_till");
    const started = clock.now;
    for (let i = 0; i < limit; i++) {
      clock.now = new Date(started.getTime() + i * 1000);
      expect(outcomes(await quoteCountingUnknownCodes(deps, till, quoteOf(guess())))).toEqual(["unknown_code"]);
    }
    clock.now = later(1);
    const refused = await rejection(quoteCountingUnknownCodes(deps, till, quoteOf(guess())));
    expect(refused).toBeInstanceOf(UnknownCodesThrottled);
    expect(refused.code).toBe("rate_limited");
    // The window began with the first unknown code; 20 s have passed since.
    expect((refused as UnknownCodesThrottled).retryAfterSeconds).toBe(windowSeconds - limit);
    expect(refused.message).toContain(`in ${windowSeconds - limit} s`);
    // The codes are what is held (the same checkout without them is answered), and the issue says so to a client.
    expect((refused as UnknownCodesThrottled).issues?.map((i) => i.path)).toEqual(["couponCodes"]);

    clock.now = new Date(started.getTime() + windowSeconds * 1000 - 1);
    expect((await rejection(quoteCountingUnknownCodes(deps, till, quoteOf(guess())))).code).toBe("rate_limited");
    clock.now = new Date(started.getTime() + windowSeconds * 1000);
    expect(outcomes(await quoteCountingUnknownCodes(deps, till, quoteOf(guess())))).toEqual(["unknown_code"]);
  });

  it("refuses the throttled key's known codes too, and holds up neither its quotes without codes nor other keys", async () => {
    const { deps, keyOf } = await throttledCheckout();
    const till = keyOf("key_till");
    for (let i = 0; i < limit; i++) await quoteCountingUnknownCodes(deps, till, quoteOf(guess()));
    // Answering a known code while refusing unknown ones would tell which codes exist all the same.
    expect((await rejection(quoteCountingUnknownCodes(deps, till, quoteOf("FRIES-HALF")))).code).toBe("rate_limited");
    expect((await quoteCountingUnknownCodes(deps, till, quoteOf())).total).toBe(400);
    const kiosk = await quoteCountingUnknownCodes(deps, keyOf("key_kiosk"), quoteOf("fries-half"));
    expect(outcomes(kiosk)).toEqual(["applied"]);
    expect(kiosk.total).toBe(200);
  });

  it("never counts known codes, however often they are quoted", async () => {
    const { deps, keyOf } = await throttledCheckout();
    const till = keyOf("key_till");
    for (let i = 0; i < limit * 2; i++) await quoteCountingUnknownCodes(deps, till, quoteOf("FRIES-HALF"));
    const counted = await db.couponCodeMiss.aggregate({ where: { tenantId: till.tenantId }, _sum: { misses: true } });
    expect(counted._sum.misses ?? 0).toBe(0);
    expect(outcomes(await quoteCountingUnknownCodes(deps, till, quoteOf(guess())))).toEqual(["unknown_code"]);
  });

  it("answers no more than the limit in unknown codes to concurrent quotes through two pools, refusing the rest", async () => {
    const { deps, keyOf } = await throttledCheckout();
    const till = keyOf("key_till");
    const elsewhere = testDb();
    try {
      const quotes = Array.from({ length: 10 }, (_, i) =>
        quoteCountingUnknownCodes(
          { ...deps, db: i % 2 ? elsewhere : db },
          till,
          quoteOf(...Array.from({ length: 5 }, guess)),
        ),
      );
      const settled = await Promise.allSettled(quotes);
      const told = settled.flatMap((s) => (s.status === "fulfilled" ? outcomes(s.value) : []));
      const refused = settled.flatMap((s) =>
        s.status === "rejected" ? [(s.reason as UnknownCodesThrottled).code] : [],
      );
      // Reservations queue on the one row: the first four are granted, and each later one finds the count full.
      expect(told.length).toBe(limit);
      expect(told.every((o) => o === "unknown_code")).toBe(true);
      expect(refused).toEqual(Array.from({ length: 10 - told.length / 5 }, () => "rate_limited"));
      const row = await db.couponCodeMiss.findFirstOrThrow({ where: { tenantId: till.tenantId } });
      expect(row.misses).toBe(told.length);
    } finally {
      await elsewhere.$disconnect();
    }
  });

  it("reserves every code of a quote and gives back the known ones, so only its unknown codes count", async () => {
    const { deps, keyOf } = await throttledCheckout();
    const till = keyOf("key_till");
    const mixed = await quoteCountingUnknownCodes(deps, till, quoteOf("FRIES-HALF", guess()));
    expect(outcomes(mixed)).toEqual(["applied", "unknown_code"]);
    const more = Array.from({ length: limit - 1 }, guess);
    expect(outcomes(await quoteCountingUnknownCodes(deps, till, quoteOf(...more)))).toHaveLength(limit - 1);
    expect((await rejection(quoteCountingUnknownCodes(deps, till, quoteOf(guess())))).code).toBe("rate_limited");
  });

  it("refuses a batch of codes that would take the count past the limit, so no batching tells more", async () => {
    const { deps, keyOf } = await throttledCheckout();
    const till = keyOf("key_till");
    const batch = Array.from({ length: limit - 5 }, guess);
    expect(outcomes(await quoteCountingUnknownCodes(deps, till, quoteOf(...batch)))).toEqual(
      batch.map(() => "unknown_code"),
    );
    expect(
      (await rejection(quoteCountingUnknownCodes(deps, till, quoteOf(...Array.from({ length: 6 }, guess))))).code,
    ).toBe("rate_limited");
    const five = await quoteCountingUnknownCodes(deps, till, quoteOf(...Array.from({ length: 5 }, guess)));
    expect(outcomes(five)).toHaveLength(5);
    expect((await rejection(quoteCountingUnknownCodes(deps, till, quoteOf("FRIES-HALF")))).code).toBe("rate_limited");
  });

  it("counts the unknown codes a refused hold names, and refuses the next hold with codes before reserving", async () => {
    const { tenantId, customer, deps, keyOf } = await throttledCheckout();
    const till = keyOf("key_till");
    const hold = (...couponCodes: string[]): HoldRequest => ({
      ...quoteOf(...couponCodes),
      customer: { id: customer },
      ttlSeconds: 600,
    });
    const first = await rejection(holdCountingUnknownCodes(deps, till, hold(...Array.from({ length: limit }, guess))));
    expect(first.code).toBe("hold_refused");
    const second = await rejection(holdCountingUnknownCodes(deps, till, hold("FRIES-HALF")));
    expect(second).toBeInstanceOf(UnknownCodesThrottled);
    expect(await db.checkoutHold.count({ where: { tenantId } })).toBe(0);
    const other = await holdCountingUnknownCodes(deps, keyOf("key_other"), hold("FRIES-HALF"));
    expect(other.quote.total).toBe(200);
  });

  it("names no more than the limit in unknown codes to concurrent holds, refusing the rest before reserving", async () => {
    const { customer, deps, keyOf } = await throttledCheckout();
    const till = keyOf("key_till");
    const hold = (): HoldRequest => ({
      ...quoteOf(...Array.from({ length: 5 }, guess)),
      customer: { id: customer },
      ttlSeconds: 600,
    });
    const settled = await Promise.allSettled(
      Array.from({ length: 10 }, () => holdCountingUnknownCodes(deps, till, hold())),
    );
    const codes = settled.map((s) => (s.status === "rejected" ? (s.reason as UnknownCodesThrottled).code : "held"));
    expect(codes.filter((c) => c === "hold_refused")).toHaveLength(limit / 5);
    expect(codes.filter((c) => c === "rate_limited")).toHaveLength(10 - limit / 5);
  });

  it("is one count for every process: misses counted through another pool refuse a quote read through the gateway's reader", async () => {
    const { deps, keyOf, clock } = await throttledCheckout();
    const till = keyOf("key_till");
    const elsewhere = testDb();
    const reader = await testPoolReader({ poolSize: 1 });
    try {
      await countUnknownCodes(elsewhere, till, limit, clock.now);
      const refused = await rejection(quoteCountingUnknownCodes({ ...deps, reader }, till, quoteOf(guess())));
      expect((refused as UnknownCodesThrottled).retryAfterSeconds).toBe(windowSeconds);
    } finally {
      await elsewhere.$disconnect();
      await reader.close();
    }
  });

  it("deletes other credentials' ended windows as misses are counted, and keeps those in force", async () => {
    const { keyOf, clock, later } = await throttledCheckout();
    await countUnknownCodes(db, keyOf("key_old"), 3, clock.now);
    await countUnknownCodes(db, keyOf("key_recent"), 3, later(windowSeconds / 2));
    await countUnknownCodes(db, keyOf("key_new"), 1, later(windowSeconds));
    const left = await db.couponCodeMiss.findMany({
      where: { tenantId: keyOf("").tenantId },
      select: { credentialId: true, misses: true },
      orderBy: { credentialId: "asc" },
    });
    expect(left).toEqual([
      { credentialId: "key_new", misses: 1 },
      { credentialId: "key_recent", misses: 3 },
    ]);
    expect(await countUnknownCodes(db, keyOf("key_recent"), 2, later(windowSeconds))).toBe(5);
    expect(await countUnknownCodes(db, keyOf("key_recent"), 2, later(windowSeconds * 2))).toBe(2);
  });
});
