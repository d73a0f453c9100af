import {
  normalizeCode,
  secondsUntilCodesAllowed,
  type UnknownCodeCount,
  type UnknownCodeLimit,
  unknownCodeDefaults,
  unknownCodesIn,
} from "@regulars/checkout";
import type { HoldRequest, Quote, QuoteRequest } from "@regulars/contracts";
import { Prisma, type SqlReader, sqlArray } from "@regulars/db";
import { DomainError, isDomainError } from "@regulars/errors";
import { type CheckoutDeps, type HoldDeps, type PlacedHold, placeHold, quoteCheckout } from "@regulars/ledger-store";
import {
  addToWindow,
  type CodeTrier,
  giveBackMisses,
  IN_FLIGHT_RETRY_SECONDS,
  type MissCounts,
  type MissReservation,
  reserveMisses,
} from "../misses/miss-windows.ts";

export { type CodeTrier, type UnknownCodeLimit, unknownCodeDefaults };

/**
 * Unknown coupon codes counted per credential (`../misses/miss-windows.ts`). A checkout with codes reserves them all
 * in the credential's window before it is answered, as if every one were unknown, and gives back those that turn out
 * known: concurrent checkouts cannot all read a count below the limit and answer together. A checkout without codes
 * touches nothing.
 */
export interface UnknownCodeOptions {
  limit?: UnknownCodeLimit;
  /** Where the counts are written (the gateway's pool of its own); the checkout's `db` when absent. */
  counts?: MissCounts;
}

/** Refused because the credential was told too often that a code does not exist; `Retry-After` repeats the wait. */
export class UnknownCodesThrottled extends DomainError {
  /** `busy`: refused only while more of the key's codes are being checked than its limit of unknown ones. */
  constructor(
    readonly retryAfterSeconds: number,
    notHeldUp = "checkouts without codes are not held up",
    busy = false,
  ) {
    const why = busy ? "too many coupon codes of this key are being checked at once" : "too many unknown coupon codes";
    const message = `${why}; codes are checked again in ${retryAfterSeconds} s (${notHeldUp})`;
    // The codes as a whole are what is held, not the caller: the issue tells a client (the kiosk) that the same
    // checkout without them is answered.
    super("rate_limited", message, [{ path: "couponCodes", message }]);
  }
}

/** Adds `misses` unknown codes to the credential's window; returns the count in the window. */
export async function countUnknownCodes(
  counts: MissCounts,
  who: CodeTrier,
  misses: number,
  now: Date,
  limit: UnknownCodeLimit = unknownCodeDefaults,
): Promise<number> {
  return (await addToWindow(counts, who, misses, now, limit)).misses;
}

const reserveCodes = (counts: MissCounts, who: CodeTrier, codes: number, now: Date, limit = unknownCodeDefaults) =>
  reserveMisses(counts, who, codes, now, limit, (wait, busy) => new UnknownCodesThrottled(wait, undefined, busy));

const clockOf = (deps: CheckoutDeps) => deps.now?.() ?? new Date();

/**
 * `quoteCheckout`, refused while the credential may not try codes, and counting the codes it answers
 * `unknown_code`. The reservation runs beside the quote, so a quote with codes waits for no extra round trip, and
 * nothing of the quote is answered unless the reservation was granted.
 */
export async function quoteCountingUnknownCodes(
  deps: CheckoutDeps,
  who: CodeTrier,
  request: QuoteRequest,
  opts: UnknownCodeOptions = {},
): Promise<Quote> {
  const at = clockOf(deps);
  const pinned = { ...deps, now: () => at };
  const codes = request.couponCodes.length;
  const counts = opts.counts ?? deps.db;
  const [reserved, quoted] = await Promise.allSettled([
    reserveCodes(counts, who, codes, at, opts.limit),
    quoteCheckout(pinned, who.tenantId, request),
  ]);
  if (reserved.status === "rejected") throw reserved.reason;
  if (quoted.status === "rejected") {
    await giveBackMisses(counts, reserved.value, codes);
    throw quoted.reason;
  }
  await giveBackMisses(counts, reserved.value, codes - unknownCodesIn(quoted.value));
  return quoted.value;
}

/** The codes a refused hold named `unknown_code` (its issues are `couponCodes.<i>`, `<refusal code>: <message>`). */
const unknownCodesRefused = (e: DomainError): number =>
  (e.issues ?? []).filter((i) => i.path.startsWith("couponCodes.") && i.message.startsWith("unknown_code:")).length;

/** `placeHold` with its codes reserved before anything is held, giving back those its answer did not call unknown. */
export async function holdCountingUnknownCodes(
  deps: HoldDeps,
  who: CodeTrier,
  request: HoldRequest,
  opts: UnknownCodeOptions = {},
): Promise<PlacedHold> {
  const at = clockOf(deps);
  const codes = request.couponCodes.length;
  const counts = opts.counts ?? deps.db;
  const reservation = await reserveCodes(counts, who, codes, at, opts.limit);
  try {
    const placed = await placeHold({ ...deps, now: () => at }, who.tenantId, request);
    await giveBackMisses(counts, reservation, codes);
    return placed;
  } catch (e) {
    const misses = isDomainError(e) && e.code === "hold_refused" ? unknownCodesRefused(e) : 0;
    await giveBackMisses(counts, reservation, codes - misses);
    throw e;
  }
}

/** What the throttle reads of a posted sale: its codes, and the checkout hold that reserved them if it names one. */
export interface PostedSale {
  transactionId: string;
  couponCodes: readonly string[];
  holdId?: string | null;
}

/** Of one posted sale's distinct codes: those its named hold does not cover, and how many of those are unknown. */
export interface PostedSaleCodes {
  uncovered: number;
  unknown: number;
}

/** What `reservePostedCodes` decides from: each sale's codes, and the key's window as it was read. */
export interface PostedCodes {
  sales: PostedSaleCodes[];
  /** With the tries of the key's checkouts still being answered (counted in `misses` too), when read. */
  window: (UnknownCodeCount & { inFlight?: number }) | null;
}

interface PostedCodeRow {
  sale: number;
  known: boolean;
  held: boolean;
}

/**
 * One statement for a request's sales with codes: whether each distinct code (as the ledger compares it) is known
 * as a quote knows codes (a code of a campaign of the tenant; `readKnownCoupons`), whether the sale's named hold
 * covers it as the ledger's commit does (a coupon its quote applied, the hold still `held` or committed by this
 * very sale: the hold was placed under the same throttle), and the key's window.
 */
export async function readPostedCodes(
  reader: SqlReader,
  who: CodeTrier,
  sales: readonly PostedSale[],
): Promise<PostedCodes> {
  const posted = sales.flatMap((s, sale) =>
    [...new Set(s.couponCodes.map(normalizeCode))].map((code) => ({ sale, code, s })),
  );
  const [row] = await reader.rows<{
    codes: PostedCodeRow[] | null;
    windowStartedAt: Date | null;
    misses: number;
    inFlight: number;
  }>(
    Prisma.sql`
    WITH posted AS (
      SELECT * FROM unnest(${sqlArray(posted.map((p) => p.sale))}::int[], ${sqlArray(posted.map((p) => p.code))}::text[],
                           ${sqlArray(posted.map((p) => p.s.holdId ?? null))}::text[],
                           ${sqlArray(posted.map((p) => p.s.transactionId))}::text[]) AS p(sale, code, hold_id, transaction_id)
    )
    SELECT (SELECT json_agg(json_build_object('sale', p.sale,
              'known', EXISTS (SELECT 1 FROM coupon_codes k
                JOIN coupon_campaigns c ON c.id = k.campaign_id AND c.tenant_id = ${who.tenantId}
                WHERE k.tenant_id = ${who.tenantId} AND k.code = p.code),
              'held', EXISTS (SELECT 1 FROM checkout_holds h, jsonb_array_elements(coalesce(h.quote->'applied', '[]')) a
                WHERE h.tenant_id = ${who.tenantId} AND h.id = p.hold_id
                  AND (h.status = 'held' OR (h.status = 'committed' AND h.transaction_id = p.transaction_id))
                  AND a->>'source' = 'coupon' AND a->>'ref' = p.code)))
            FROM posted p) AS codes,
           m.window_started_at AS "windowStartedAt", m.misses, m.in_flight AS "inFlight"
    FROM (SELECT 1) one
    LEFT JOIN coupon_code_misses m ON m.tenant_id = ${who.tenantId} AND m.credential_id = ${who.credentialId}`,
  );
  const counts = sales.map(() => ({ uncovered: 0, unknown: 0 }));
  for (const c of row?.codes ?? []) {
    if (c.held) continue;
    counts[c.sale]!.uncovered++;
    if (!c.known) counts[c.sale]!.unknown++;
  }
  const window = row?.windowStartedAt
    ? { windowStartedAt: new Date(row.windowStartedAt), misses: row.misses, inFlight: row.inFlight }
    : null;
  return { sales: counts, window };
}

/**
 * Reserves, before the sales are answered, the unknown codes of the posted sales that may be posted, and returns
 * each sale's refusal (null when it may be posted), in order. All the request's unknown codes are reserved in ONE
 * upsert (none without unknown codes), as quotes reserve theirs, so concurrent requests each see the others'
 * reservations; the sales are then judged in order from the count before them, each as a quote of its uncovered
 * codes is (refused when, were they all unknown, they would take the count past the limit: whether a refused sale's
 * codes exist is told by nothing), the count growing by the unknown codes of each sale let through; the unknown
 * codes of refused sales are given back. Known codes never count, so a till posting codes that exist is only held
 * up while its key is over the limit with unknown ones. A sale refused here is stored nowhere and is to be posted
 * again after `Retry-After`. The ledger does not count these codes again (`codesCounted` on the message).
 */
export async function reservePostedCodes(
  counts: MissCounts,
  who: CodeTrier,
  posted: PostedCodes,
  now: Date,
  limit: UnknownCodeLimit = unknownCodeDefaults,
): Promise<(UnknownCodesThrottled | null)[]> {
  const unknown = posted.sales.reduce((n, s) => n + s.unknown, 0);
  let window = posted.window;
  // Tries of the key's checkouts still being answered: a sale refused only because of them is told to come back in a
  // second (`IN_FLIGHT_RETRY_SECONDS`), as a checkout would be.
  let othersInFlight = window?.inFlight ?? 0;
  let reservation: MissReservation | null = null;
  if (unknown > 0) {
    const reserved = await addToWindow(counts, who, unknown, now, limit, "coupon_codes", unknown);
    reservation = { who, kind: "coupon_codes" as const, window: reserved, tries: unknown };
    window = { ...reserved, misses: reserved.misses - unknown };
    othersInFlight = reserved.inFlight - unknown;
  }
  let passed = 0;
  const refusals = posted.sales.map((sale) => {
    const count = window && { ...window, misses: window.misses + passed };
    const wait = sale.uncovered ? secondsUntilCodesAllowed(count, sale.uncovered, limit, now) : null;
    if (wait === null) {
      passed += sale.unknown;
      return null;
    }
    const answered = count && { ...count, misses: count.misses - othersInFlight };
    const busy = secondsUntilCodesAllowed(answered, sale.uncovered, limit, now) === null;
    const again = "sales without codes are not held up; post this sale again then";
    return new UnknownCodesThrottled(busy ? Math.min(wait, IN_FLIGHT_RETRY_SECONDS) : wait, again, busy);
  });
  await giveBackMisses(counts, reservation, unknown - passed);
  return refusals;
}
