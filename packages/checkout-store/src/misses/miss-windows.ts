import { secondsUntilCodesAllowed, type UnknownCodeCount, type UnknownCodeLimit } from "@regulars/checkout";
import type { Db } from "@regulars/db";

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

/** What a window counts; each kind keeps its own rows, windows and limit. */
export type MissKind = "coupon_codes" | "customer_lookups";

const LOOKUP_ROW_PREFIX = "customer-lookup:";

/** The row a credential's misses of `kind` are counted in (coupon codes keep the rows they always had). */
const rowOf = (who: CodeTrier, kind: MissKind): CodeTrier =>
  kind === "customer_lookups" ? { ...who, credentialId: `${LOOKUP_ROW_PREFIX}${who.credentialId}` } : who;

/** Windows that ended are deleted a few at a time as misses are counted, never waiting on a row in use. */
const PRUNE_BATCH = 100;

/**
 * Adds `misses` to the credential's window in one statement (a new window when its last one ended, or when
 * everything counted in it was given back, so a window begins with a miss), which also deletes other credentials'
 * ended windows of the same kind (a kind's window length says nothing of when another kind's ends). Returns the
 * window with the count in it.
 */
export async function addToWindow(
  db: Db,
  who: CodeTrier,
  misses: number,
  now: Date,
  limit: UnknownCodeLimit,
  kind: MissKind = "coupon_codes",
): Promise<UnknownCodeCount> {
  const row = rowOf(who, kind);
  const ended = new Date(now.getTime() - limit.windowSeconds * 1000);
  const [counted] = await db.$queryRaw<UnknownCodeCount[]>`
    WITH ended AS (
      SELECT tenant_id, credential_id FROM coupon_code_misses
      WHERE window_started_at <= ${ended} AND NOT (tenant_id = ${row.tenantId} AND credential_id = ${row.credentialId})
        AND starts_with(credential_id, ${LOOKUP_ROW_PREFIX}) = ${kind === "customer_lookups"}
      LIMIT ${PRUNE_BATCH} FOR UPDATE SKIP LOCKED
    ), pruned AS (
      DELETE FROM coupon_code_misses m USING ended e
      WHERE m.tenant_id = e.tenant_id AND m.credential_id = e.credential_id
    )
    INSERT INTO coupon_code_misses AS m (tenant_id, credential_id, window_started_at, misses)
    VALUES (${row.tenantId}, ${row.credentialId}, ${now}, ${misses})
    ON CONFLICT (tenant_id, credential_id) DO UPDATE SET
      window_started_at = CASE WHEN m.window_started_at <= ${ended} OR m.misses = 0
        THEN excluded.window_started_at ELSE m.window_started_at END,
      misses = CASE WHEN m.window_started_at <= ${ended} OR m.misses = 0
        THEN excluded.misses ELSE m.misses + excluded.misses END
    RETURNING window_started_at AS "windowStartedAt", misses`;
  return counted!;
}

/** Tries reserved in a window: what is given back must leave the window they were counted in. */
export interface MissReservation {
  who: CodeTrier;
  kind: MissKind;
  window: UnknownCodeCount;
}

/**
 * Reserves `tries` as misses before they are answered, so concurrent requests cannot all read a count below the
 * limit and answer together. When, were they all misses, they would take the count past the limit, the reservation
 * is given back and `refuse(seconds to wait)` thrown. Null for no tries.
 */
export async function reserveMisses(
  db: Db,
  who: CodeTrier,
  tries: number,
  now: Date,
  limit: UnknownCodeLimit,
  refuse: (retryAfterSeconds: number) => Error,
  kind: MissKind = "coupon_codes",
): Promise<MissReservation | null> {
  if (tries === 0) return null;
  const window = await addToWindow(db, who, tries, now, limit, kind);
  const reservation = { who, kind, window };
  const before = { ...window, misses: window.misses - tries };
  const wait = secondsUntilCodesAllowed(before, tries, limit, now);
  if (wait === null) return reservation;
  await giveBackMisses(db, reservation, tries);
  throw refuse(wait);
}

/** Takes `hits` back off the reservation's window; a window that has ended since keeps nothing to give back. */
export async function giveBackMisses(db: Db, reservation: MissReservation | null, hits: number): Promise<void> {
  if (!reservation || hits <= 0) return;
  const row = rowOf(reservation.who, reservation.kind);
  await db.$executeRaw`
    UPDATE coupon_code_misses SET misses = GREATEST(0, misses - ${hits})
    WHERE tenant_id = ${row.tenantId} AND credential_id = ${row.credentialId}
      AND window_started_at = ${reservation.window.windowStartedAt}`;
}
