import { unknownCodeDefaults } from "@regulars/checkout";
import type { Db, PoolReader } from "@regulars/db";
import { DomainError } from "@regulars/errors";
import { testDb, testPoolReader } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type CodeTrier,
  type CustomerLookupsThrottled,
  customerLookupDefaults,
  IN_FLIGHT_RETRY_SECONDS,
  lookUpCountingMisses,
  reservePostedCodes,
} from "../src/index.ts";
import { couponTenant } from "./coupons-fixtures.ts";

// A key answering more checkouts at once than its limit of misses (an integration's key at peak): each reserves a
// miss before it is answered, so those beyond the limit are refused while the others are in flight. They were told to
// come back when the window ends (up to ten minutes) for guesses the key never made; they are told a second now.

let db: Db;
let pool: PoolReader;
beforeAll(async () => {
  db = testDb();
  pool = await testPoolReader({ poolSize: 2 });
});
afterAll(async () => {
  await pool?.close();
  await db?.$disconnect();
});

const { limit } = customerLookupDefaults;
const AT_ONCE = limit + 10;
/** Long enough for every look-up to have reserved its miss before the first one is answered. */
const LOOK_UP_MS = 500;
const slowly = <T>(answer: () => T) =>
  new Promise<T>((resolve, reject) =>
    setTimeout(() => {
      try {
        resolve(answer());
      } catch (e) {
        reject(e);
      }
    }, LOOK_UP_MS),
  );

async function key(): Promise<CodeTrier> {
  const { tenantId } = await couponTenant(db);
  return { tenantId, credentialId: "key_busy_integration" };
}

const windowOf = (who: CodeTrier, credentialId = `customer-lookup:${who.credentialId}`) =>
  db.couponCodeMiss.findUniqueOrThrow({ where: { tenantId_credentialId: { tenantId: who.tenantId, credentialId } } });

describe("a key's look-ups in flight beyond its limit of misses", () => {
  it("are refused for a second, not the window, when the others find their customers; nothing stays counted", async () => {
    const who = await key();
    const answers = await Promise.allSettled(
      Array.from({ length: AT_ONCE }, (_, i) => lookUpCountingMisses(pool, who, () => slowly(() => `customer ${i}`))),
    );
    const refused = answers.flatMap((a) => (a.status === "rejected" ? [a.reason as CustomerLookupsThrottled] : []));
    expect(answers.filter((a) => a.status === "fulfilled")).toHaveLength(limit);
    expect(refused.map((r) => [r.code, r.retryAfterSeconds])).toEqual(
      Array.from({ length: AT_ONCE - limit }, () => ["rate_limited", IN_FLIGHT_RETRY_SECONDS]),
    );
    expect(refused[0]!.message).toContain("being answered at once");
    const window = await windowOf(who);
    expect({ misses: window.misses, inFlight: window.inFlight }).toEqual({ misses: 0, inFlight: 0 });
    // Once they are answered nothing is in flight: the key's look-ups are answered again.
    expect(await lookUpCountingMisses(pool, who, async () => "found")).toBe("found");
  });

  it("tell no more than the limit that nobody has the number, refusing the rest until the window ends", async () => {
    const who = await key();
    const nobody = () => {
      throw new DomainError("not_found", "nobody has this phone number");
    };
    const answers = await Promise.allSettled(
      Array.from({ length: AT_ONCE }, () => lookUpCountingMisses(db, who, () => slowly(nobody))),
    );
    const reasons = answers.map((a) => (a.status === "rejected" ? (a.reason as DomainError).code : "answered"));
    expect(reasons.filter((r) => r === "not_found")).toHaveLength(limit);
    expect(reasons.filter((r) => r === "rate_limited")).toHaveLength(AT_ONCE - limit);
    const window = await windowOf(who);
    expect({ misses: window.misses, inFlight: window.inFlight }).toEqual({ misses: limit, inFlight: 0 });
    // Once the misses are answered, the wait is the window's.
    const later = await lookUpCountingMisses(db, who, async () => "found").catch((e: unknown) => e);
    expect((later as CustomerLookupsThrottled).retryAfterSeconds).toBe(customerLookupDefaults.windowSeconds);
  });

  it("count the unknown codes of posted sales with none left in flight, and refuse a sale for a second while the key's checkouts are", async () => {
    const who = await key();
    const posted = {
      sales: [
        { uncovered: 2, unknown: 2 },
        { uncovered: 1, unknown: 1 },
      ],
      window: null,
    };
    expect(await reservePostedCodes(pool, who, posted, new Date(), unknownCodeDefaults)).toEqual([null, null]);
    const window = await windowOf(who, who.credentialId);
    expect({ misses: window.misses, inFlight: window.inFlight }).toEqual({ misses: 3, inFlight: 0 });

    // Checkouts of the key hold the rest of its limit in flight: a sale with a code not covered by a hold waits a second.
    const busy = { windowStartedAt: window.windowStartedAt, misses: limit, inFlight: limit - 3 };
    const [refused] = await reservePostedCodes(
      pool,
      who,
      { sales: [{ uncovered: 1, unknown: 0 }], window: busy },
      new Date(),
      unknownCodeDefaults,
    );
    expect(refused?.retryAfterSeconds).toBe(IN_FLIGHT_RETRY_SECONDS);
    const [full] = await reservePostedCodes(
      pool,
      who,
      { sales: [{ uncovered: 1, unknown: 0 }], window: { ...busy, inFlight: 0 } },
      new Date(),
      unknownCodeDefaults,
    );
    expect(full?.retryAfterSeconds).toBeGreaterThan(IN_FLIGHT_RETRY_SECONDS);
  });
});
