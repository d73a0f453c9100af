import { secondsUntilCodesAllowed, type UnknownCodeCount, type UnknownCodeLimit } from "@regulars/checkout";
import { type Db, Prisma, prismaReader, type SqlReader } from "@regulars/db";

/**
 * A credential's misses counted in Postgres, so that every gateway and API process serving a tenant sees the same
 * count: unknown coupon codes, and till look-ups of customers by an identity nobody has. One row per credential and
 * thing counted in `coupon_code_misses`; a look-up's row is named `customer-lookup:<credential>`, so a mistyped
 * phone number never holds up coupon codes, nor a mistyped code the look-ups.
 */
export interface CodeTrier {
  tenantId: string;
  /** The API key's id, or `staff:<id>` for a staff member's session: the one credential the count belongs to. */
  credentialId: string;
}

/**
 * Where the counts are written: Prisma (`db`), or a pg pool of the caller's (`SqlReader`, its `rows` running any
 * statement). Every quote or hold with codes, and every look-up by phone or card, writes the row twice (reserved,
 * then given back), each write one statement outside any transaction: on the gateway's checkout that was most of a
 * quote's CPU through Prisma, so the gateway gives them a pool of their own.
 */
export type MissCounts = Db | SqlReader;

const statementsOf = (counts: MissCounts): SqlReader => ("rows" in counts ? counts : prismaReader(counts));

/** What a window counts; each kind keeps its own rows, windows and limit. */
export type MissKind = "coupon_codes" | "customer_lookups";

const LOOKUP_ROW_PREFIX = "customer-lookup:";

/** The row a credential's misses of `kind` are counted in (coupon codes keep the rows they always had). */
const rowOf = (who: CodeTrier, kind: MissKind): CodeTrier =>
  kind === "customer_lookups" ? { ...who, credentialId: `${LOOKUP_ROW_PREFIX}${who.credentialId}` } : who;

/** Windows that ended are deleted a few at a time as misses are counted, never waiting on a row in use. */
const PRUNE_BATCH = 100;

/** A window's count as `addToWindow` returns it: with the tries of it still being answered. */
export interface CountedWindow extends UnknownCodeCount {
  /** Tries reserved and not yet settled, counted in `misses` too. */
  inFlight: number;
}

/**
 * Adds `misses` to the credential's window in one statement, `inFlight` of them as tries still to be answered (a new
 * window when its last one ended, or when everything counted in it was given back, so a window begins with a miss),
 * which also deletes other credentials' ended windows of the same kind (a kind's window length says nothing of when
 * another kind's ends). Returns the window with the count in it.
 */
export async function addToWindow(
  counts: MissCounts,
  who: CodeTrier,
  misses: number,
  now: Date,
  limit: UnknownCodeLimit,
  kind: MissKind = "coupon_codes",
  inFlight = 0,
): Promise<CountedWindow> {
  const row = rowOf(who, kind);
  const ended = new Date(now.getTime() - limit.windowSeconds * 1000);
  const [counted] = await statementsOf(counts).rows<CountedWindow>(Prisma.sql`
    WITH ended AS (
      SELECT tenant_id, credential_id FROM coupon_code_misses
      WHERE window_started_at <= ${ended} AND NOT (tenant_id = ${row.tenantId} AND credential_id = ${row.credentialId})
        AND starts_with(credential_id, ${LOOKUP_ROW_PREFIX}) = ${kind === "customer_lookups"}
      LIMIT ${PRUNE_BATCH} FOR UPDATE SKIP LOCKED
    ), pruned AS (
      DELETE FROM coupon_code_misses m USING ended e
      WHERE m.tenant_id = e.tenant_id AND m.credential_id = e.credential_id
    )
    INSERT INTO coupon_code_misses AS m (tenant_id, credential_id, window_started_at, misses, in_flight)
    VALUES (${row.tenantId}, ${row.credentialId}, ${now}, ${misses}, ${inFlight})
    ON CONFLICT (tenant_id, credential_id) DO UPDATE SET
      window_started_at = CASE WHEN m.window_started_at <= ${ended} OR m.misses = 0
        THEN excluded.window_started_at ELSE m.window_started_at END,
      misses = CASE WHEN m.window_started_at <= ${ended} OR m.misses = 0
        THEN excluded.misses ELSE m.misses + excluded.misses END,
      in_flight = CASE WHEN m.window_started_at <= ${ended} OR m.misses = 0
        THEN excluded.in_flight ELSE m.in_flight + excluded.in_flight END
    RETURNING window_started_at AS "windowStartedAt", misses, in_flight AS "inFlight"`);
  return counted!;
}

/** Tries reserved in a window: what is given back must leave the window they were counted in. */
export interface MissReservation {
  who: CodeTrier;
  kind: MissKind;
  window: UnknownCodeCount;
  /** The tries reserved, in flight until `giveBackMisses` settles them. */
  tries: number;
}

/**
 * What a reservation refused only because of other tries in flight is told to wait: they are settled as soon as their
 * checkouts are answered (milliseconds), and given back unless they were misses.
 */
export const IN_FLIGHT_RETRY_SECONDS = 1;

/**
 * Reserves `tries` as misses before they are answered, so concurrent requests cannot all read a count below the
 * limit and answer together. When, were they all misses, they would take the count past the limit, the reservation
 * is given back and `refuse(seconds to wait, busy)` thrown: until the window ends when the key's answered misses
 * alone would (`busy` false), and for `IN_FLIGHT_RETRY_SECONDS` when only the tries still in flight of the key's other
 * checkouts would (`busy`): a key answering more than `limit` checkouts at once (an integration's, at peak) is told to
 * come back in a second, not in ten minutes, for guesses it never made. Null for no tries.
 */
export async function reserveMisses(
  counts: MissCounts,
  who: CodeTrier,
  tries: number,
  now: Date,
  limit: UnknownCodeLimit,
  refuse: (retryAfterSeconds: number, busy: boolean) => Error,
  kind: MissKind = "coupon_codes",
): Promise<MissReservation | null> {
  if (tries === 0) return null;
  const window = await addToWindow(counts, who, tries, now, limit, kind, tries);
  const reservation = { who, kind, window, tries };
  const before = { ...window, misses: window.misses - tries };
  const wait = secondsUntilCodesAllowed(before, tries, limit, now);
  if (wait === null) return reservation;
  await giveBackMisses(counts, reservation, tries);
  const answered = { ...before, misses: before.misses - (window.inFlight - tries) };
  if (secondsUntilCodesAllowed(answered, tries, limit, now) !== null) throw refuse(wait, false);
  throw refuse(Math.min(wait, IN_FLIGHT_RETRY_SECONDS), true);
}

/**
 * Settles a reservation: takes `hits` (its tries that were not misses) back off its window, and its tries out of those
 * in flight. A window that has ended since keeps nothing to give back.
 */
export async function giveBackMisses(
  counts: MissCounts,
  reservation: MissReservation | null,
  hits: number,
): Promise<void> {
  if (!reservation) return;
  const row = rowOf(reservation.who, reservation.kind);
  await statementsOf(counts).rows(Prisma.sql`
    UPDATE coupon_code_misses
    SET misses = GREATEST(0, misses - ${Math.max(0, hits)}), in_flight = GREATEST(0, in_flight - ${reservation.tries})
    WHERE tenant_id = ${row.tenantId} AND credential_id = ${row.credentialId}
      AND window_started_at = ${reservation.window.windowStartedAt}`);
}
