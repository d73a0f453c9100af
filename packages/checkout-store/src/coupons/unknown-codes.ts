import {
  secondsUntilCodesAllowed,
  type UnknownCodeCount,
  type UnknownCodeLimit,
  unknownCodeDefaults,
  unknownCodesIn,
} from "@regulars/checkout";
import type { HoldRequest, Quote, QuoteRequest } from "@regulars/contracts";
import { type Db, Prisma, prismaReader, type SqlReader } from "@regulars/db";
import { DomainError, isDomainError } from "@regulars/errors";
import { type CheckoutDeps, type HoldDeps, type PlacedHold, placeHold, quoteCheckout } from "@regulars/ledger-store";

export { type UnknownCodeLimit, unknownCodeDefaults };

/**
 * Unknown coupon codes counted per credential in Postgres, so that every gateway and API process serving a tenant
 * sees the same count. Only an `unknown_code` answer is written; a checkout with codes reads its credential's one
 * row, and a checkout without codes touches nothing.
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
  constructor(readonly retryAfterSeconds: number) {
    super(
      "rate_limited",
      `too many unknown coupon codes; codes are checked again in ${retryAfterSeconds} s ` +
        "(checkouts without codes are not held up)",
    );
  }
}

/** Windows that ended are deleted a few at a time as misses are counted, never waiting on a row in use. */
const PRUNE_BATCH = 100;

async function readCount(reader: SqlReader, who: CodeTrier): Promise<UnknownCodeCount | null> {
  const [row] = await reader.rows<UnknownCodeCount>(Prisma.sql`
    SELECT window_started_at AS "windowStartedAt", misses FROM coupon_code_misses
    WHERE tenant_id = ${who.tenantId} AND credential_id = ${who.credentialId}`);
  return row ?? null;
}

/** Throws `UnknownCodesThrottled` when `codes` codes may not be tried now by this credential. */
export async function refuseWhileThrottled(
  reader: SqlReader,
  who: CodeTrier,
  codes: number,
  now: Date,
  limit: UnknownCodeLimit = unknownCodeDefaults,
): Promise<void> {
  if (codes === 0) return;
  const wait = secondsUntilCodesAllowed(await readCount(reader, who), codes, limit, now);
  if (wait !== null) throw new UnknownCodesThrottled(wait);
}

/**
 * Adds `misses` unknown codes to the credential's window (a new window when its last one ended) in one statement,
 * which also deletes other credentials' ended windows. Returns the count in the window.
 */
export async function countUnknownCodes(
  db: Db,
  who: CodeTrier,
  misses: number,
  now: Date,
  limit: UnknownCodeLimit = unknownCodeDefaults,
): Promise<number> {
  const ended = new Date(now.getTime() - limit.windowSeconds * 1000);
  const [row] = await db.$queryRaw<{ misses: number }[]>`
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
      window_started_at = CASE WHEN m.window_started_at <= ${ended} THEN excluded.window_started_at ELSE m.window_started_at END,
      misses = CASE WHEN m.window_started_at <= ${ended} THEN excluded.misses ELSE m.misses + excluded.misses END
    RETURNING misses`;
  return row!.misses;
}

const clockOf = (deps: CheckoutDeps) => deps.now?.() ?? new Date();

/**
 * `quoteCheckout`, refused while the credential may not try codes, and counting the codes it answers
 * `unknown_code`. The check reads beside the quote, so a quote with codes waits for no extra round trip.
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
  const [, quote] = await Promise.all([
    refuseWhileThrottled(deps.reader ?? prismaReader(deps.db), who, codes, at, opts.limit),
    quoteCheckout(pinned, who.tenantId, request),
  ]);
  const misses = unknownCodesIn(quote);
  if (misses) await countUnknownCodes(deps.db, who, misses, at, opts.limit);
  return quote;
}

/** The codes a refused hold named `unknown_code` (its issues are `couponCodes.<i>`, `<refusal code>: <message>`). */
const unknownCodesRefused = (e: DomainError): number =>
  (e.issues ?? []).filter((i) => i.path.startsWith("couponCodes.") && i.message.startsWith("unknown_code:")).length;

/** `placeHold` with the same check before anything is reserved, counting the codes its refusal names unknown. */
export async function holdCountingUnknownCodes(
  deps: HoldDeps,
  who: CodeTrier,
  request: HoldRequest,
  placedBy: string | undefined,
  opts: UnknownCodeOptions = {},
): Promise<PlacedHold> {
  const at = clockOf(deps);
  await refuseWhileThrottled(prismaReader(deps.db), who, request.couponCodes.length, at, opts.limit);
  try {
    return await placeHold({ ...deps, now: () => at }, who.tenantId, request, placedBy);
  } catch (e) {
    const misses = isDomainError(e) && e.code === "hold_refused" ? unknownCodesRefused(e) : 0;
    if (misses) await countUnknownCodes(deps.db, who, misses, at, opts.limit);
    throw e;
  }
}
