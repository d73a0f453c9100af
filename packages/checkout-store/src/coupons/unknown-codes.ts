import {
  normalizeCode,
  secondsUntilCodesAllowed,
  type UnknownCodeCount,
  type UnknownCodeLimit,
  unknownCodeDefaults,
  unknownCodesIn,
} from "@regulars/checkout";
import type { HoldRequest, Quote, QuoteRequest } from "@regulars/contracts";
import { type Db, Prisma, type SqlReader, sqlArray } from "@regulars/db";
import { DomainError, isDomainError } from "@regulars/errors";
import { type CheckoutDeps, type HoldDeps, type PlacedHold, placeHold, quoteCheckout } from "@regulars/ledger-store";

export { type UnknownCodeLimit, unknownCodeDefaults };

/**
 * Unknown coupon codes counted per credential in Postgres, so that every gateway and API process serving a tenant
 * sees the same count. A checkout with codes reserves them all in the credential's one row before it is answered,
 * as if every one were unknown, and gives back those that turn out known: concurrent checkouts cannot all read a
 * count below the limit and answer together. A checkout without codes touches nothing.
 */
export interface CodeTrier {
  tenantId: string;
  /** The API key's id, or `staff:<id>` for a staff member's session: the one credential the count belongs to. */
  credentialId: string;
}

export interface UnknownCodeOptions {
  limit?: UnknownCodeLimit;
}

/** Refused because the credential was told too often that a code does not exist; `Retry-After` repeats the wait. */
export class UnknownCodesThrottled extends DomainError {
  constructor(
    readonly retryAfterSeconds: number,
    notHeldUp = "checkouts without codes are not held up",
  ) {
    super(
      "rate_limited",
      `too many unknown coupon codes; codes are checked again in ${retryAfterSeconds} s (${notHeldUp})`,
    );
  }
}

/** Windows that ended are deleted a few at a time as misses are counted, never waiting on a row in use. */
const PRUNE_BATCH = 100;

/**
 * Adds `misses` codes to the credential's window in one statement (a new window when its last one ended, or when
 * everything counted in it was given back, so a window begins with an unknown code), which also deletes other
 * credentials' ended windows. Returns the window with the count in it.
 */
async function addToWindow(
  db: Db,
  who: CodeTrier,
  misses: number,
  now: Date,
  limit: UnknownCodeLimit,
): Promise<UnknownCodeCount> {
  const ended = new Date(now.getTime() - limit.windowSeconds * 1000);
  const [row] = await db.$queryRaw<UnknownCodeCount[]>`
    WITH ended AS (
      SELECT tenant_id, credential_id FROM coupon_code_misses
      WHERE window_started_at <= ${ended} AND NOT (tenant_id = ${who.tenantId} AND credential_id = ${who.credentialId})
      LIMIT ${PRUNE_BATCH} FOR UPDATE SKIP LOCKED
    ), pruned AS (
      DELETE FROM coupon_code_misses m USING ended e
      WHERE m.tenant_id = e.tenant_id AND m.credential_id = e.credential_id
    )
    INSERT INTO coupon_code_misses AS m (tenant_id, credential_id, window_started_at, misses)
    VALUES (${who.tenantId}, ${who.credentialId}, ${now}, ${misses})
    ON CONFLICT (tenant_id, credential_id) DO UPDATE SET
      window_started_at = CASE WHEN m.window_started_at <= ${ended} OR m.misses = 0
        THEN excluded.window_started_at ELSE m.window_started_at END,
      misses = CASE WHEN m.window_started_at <= ${ended} OR m.misses = 0
        THEN excluded.misses ELSE m.misses + excluded.misses END
    RETURNING window_started_at AS "windowStartedAt", misses`;
  return row!;
}

/** Adds `misses` unknown codes to the credential's window; returns the count in the window. */
export async function countUnknownCodes(
  db: Db,
  who: CodeTrier,
  misses: number,
  now: Date,
  limit: UnknownCodeLimit = unknownCodeDefaults,
): Promise<number> {
  return (await addToWindow(db, who, misses, now, limit)).misses;
}

/** Codes reserved in a window: what is given back must leave the window they were counted in. */
interface CodeReservation {
  who: CodeTrier;
  window: UnknownCodeCount;
}

/**
 * Reserves `codes` codes as unknown before the checkout is answered. Throws `UnknownCodesThrottled` (having given
 * the reservation back) when, were they all unknown, they would take the count past the limit. Null without codes.
 */
async function reserveCodes(
  db: Db,
  who: CodeTrier,
  codes: number,
  now: Date,
  limit: UnknownCodeLimit = unknownCodeDefaults,
): Promise<CodeReservation | null> {
  if (codes === 0) return null;
  const window = await addToWindow(db, who, codes, now, limit);
  const reservation = { who, window };
  const before = { ...window, misses: window.misses - codes };
  const wait = secondsUntilCodesAllowed(before, codes, limit, now);
  if (wait === null) return reservation;
  await giveBackCodes(db, reservation, codes);
  throw new UnknownCodesThrottled(wait);
}

/** Takes `known` codes back off the reservation's window; a window that has ended since keeps nothing to give back. */
async function giveBackCodes(db: Db, reservation: CodeReservation | null, known: number): Promise<void> {
  if (!reservation || known <= 0) return;
  const { who, window } = reservation;
  await db.$executeRaw`
    UPDATE coupon_code_misses SET misses = GREATEST(0, misses - ${known})
    WHERE tenant_id = ${who.tenantId} AND credential_id = ${who.credentialId}
      AND window_started_at = ${window.windowStartedAt}`;
}

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
  const [reserved, quoted] = await Promise.allSettled([
    reserveCodes(deps.db, who, codes, at, opts.limit),
    quoteCheckout(pinned, who.tenantId, request),
  ]);
  if (reserved.status === "rejected") throw reserved.reason;
  if (quoted.status === "rejected") {
    await giveBackCodes(deps.db, reserved.value, codes);
    throw quoted.reason;
  }
  await giveBackCodes(deps.db, reserved.value, codes - unknownCodesIn(quoted.value));
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
  placedBy: string | undefined,
  opts: UnknownCodeOptions = {},
): Promise<PlacedHold> {
  const at = clockOf(deps);
  const codes = request.couponCodes.length;
  const reservation = await reserveCodes(deps.db, who, codes, at, opts.limit);
  try {
    const placed = await placeHold({ ...deps, now: () => at }, who.tenantId, request, placedBy);
    await giveBackCodes(deps.db, reservation, codes);
    return placed;
  } catch (e) {
    const misses = isDomainError(e) && e.code === "hold_refused" ? unknownCodesRefused(e) : 0;
    await giveBackCodes(deps.db, reservation, codes - misses);
    throw e;
  }
}

/** What the throttle reads of a posted sale: its codes, and the checkout hold that reserved them if it names one. */
export interface PostedSale {
  transactionId: string;
  couponCodes: readonly string[];
  holdId?: string | null;
}

/** Each sale's refusal while its key is throttled, in order; null for a sale that may be posted. */
export type PostedCodesCheck = (sales: readonly PostedSale[]) => Promise<(UnknownCodesThrottled | null)[]>;

/**
 * For sales posted with codes (their outcomes are read from the sale's status): the credential's count read once,
 * as the ledger left it, and checked as a checkout's codes are. Nothing is reserved: the ledger counts a sale's
 * unknown codes when it applies the sale, so sales posted before that are not refused for them. A sale refused
 * here is stored nowhere and is to be posted again after `Retry-After`. A refused sale whose every code its named
 * hold reserved passes after all (`heldCodesPass`): the till was told those codes exist when it held them, and
 * the customer has paid.
 */
export async function checkPostedCodes(
  reader: SqlReader,
  who: CodeTrier,
  now: Date,
  limit: UnknownCodeLimit = unknownCodeDefaults,
): Promise<PostedCodesCheck> {
  const [count] = await reader.rows<UnknownCodeCount>(Prisma.sql`
    SELECT window_started_at AS "windowStartedAt", misses FROM coupon_code_misses
    WHERE tenant_id = ${who.tenantId} AND credential_id = ${who.credentialId}`);
  return async (sales) => {
    const refusals = sales.map((sale) => {
      const wait = sale.couponCodes.length
        ? secondsUntilCodesAllowed(count ?? null, sale.couponCodes.length, limit, now)
        : null;
      return wait === null
        ? null
        : new UnknownCodesThrottled(wait, "sales without codes are not held up; post this sale again then");
    });
    return heldCodesPass(reader, who.tenantId, sales, refusals);
  };
}

interface HeldCoupons {
  id: string;
  status: string;
  transaction_id: string | null;
  applied: { source: string; ref?: string | null }[] | null;
}

/**
 * Lifts the refusal of each refused sale whose every code was applied by the quote of the hold it names: a hold of
 * the same tenant still `held`, or committed by this very sale (a retry after the ledger applied it). The hold was
 * placed under the same throttle, so its codes tell the key nothing new. Reads the holds only when a refused sale
 * names one: sales that are not refused cost nothing more.
 */
async function heldCodesPass(
  reader: SqlReader,
  tenantId: string,
  sales: readonly PostedSale[],
  refusals: (UnknownCodesThrottled | null)[],
): Promise<(UnknownCodesThrottled | null)[]> {
  const holdIds = [...new Set(sales.flatMap((s, i) => (refusals[i] && s.holdId ? [s.holdId] : [])))];
  if (!holdIds.length) return refusals;
  const holds = new Map(
    (
      await reader.rows<HeldCoupons>(Prisma.sql`
        SELECT id, status, transaction_id, quote->'applied' AS applied FROM checkout_holds
        WHERE tenant_id = ${tenantId} AND id = ANY(${sqlArray(holdIds)}::text[])`)
    ).map((h) => [h.id, h]),
  );
  return refusals.map((refusal, i) => {
    const sale = sales[i]!;
    const hold = refusal && sale.holdId ? holds.get(sale.holdId) : undefined;
    if (!hold) return refusal;
    const open = hold.status === "held" || (hold.status === "committed" && hold.transaction_id === sale.transactionId);
    // The quote's applied coupons carry their codes as the quote compared them (commit.ts reads them so too).
    const held = new Set((hold.applied ?? []).flatMap((a) => (a.source === "coupon" && a.ref ? [a.ref] : [])));
    return open && sale.couponCodes.every((code) => held.has(normalizeCode(code))) ? null : refusal;
  });
}
