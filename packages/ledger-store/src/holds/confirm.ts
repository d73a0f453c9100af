import { createHmac, randomInt, timingSafeEqual } from "node:crypto";
import { holdCodeLanguage, holdCodeSmsText } from "@regulars/checkout";
import type { TransactionalSms } from "@regulars/contracts";
import { type RawTx, withTransaction } from "@regulars/db";
import { DomainError } from "@regulars/errors";
import { attemptLock, attemptsLeft, customerCodeCounts, newCodeLock } from "./confirmation-limits.ts";
import type { CheckoutDeps } from "./place.ts";
import { type HoldStatus, lockHold, releaseLockedHold } from "./release.ts";

/** How long a code lasts and how often it may be tried: 10^6 codes, 5 tries, a guess wins once in 200,000. */
export const confirmationPolicy = { ttlMs: 5 * 60_000, maxAttempts: 5 };

/** What the till or kiosk shows after placing a hold that waits for the customer's code. */
export interface HoldConfirmation {
  required: true;
  expiresAt: string;
  /** The masked number the code went to, "+48•••••200". */
  sentTo: string;
}

export interface ConfirmedHold {
  holdId: string;
  status: HoldStatus;
  confirmed: true;
}

/**
 * Wallet cash is spendable on anything, so spending it waits for a code sent to the customer unless the customer proved
 * they hold their account. No hold request proves it: it names its customer by an identity (`CustomerRef`), and an id
 * is what a look-up answers for a phone number typed at a kiosk as for the app's scanned QR token; a phone or card
 * number is known to others, and the basket's channel is what the caller says. So every hold spending a customer's
 * wallet cash waits for the code, whether a till, a kiosk or an admin placed it: an admin who must move wallet cash
 * without the customer adjusts the balance, with a reason, in the audit log.
 */
export const needsConfirmation = (wallet: number) => wallet > 0;

/** The code's HMAC keyed by its hold: the table never holds a code, and one hash says nothing about another hold. */
const codeHash = (holdId: string, code: string) => createHmac("sha256", holdId).update(code).digest("hex");

const codeMatches = (stored: string, holdId: string, code: string) =>
  timingSafeEqual(Buffer.from(stored, "hex"), Buffer.from(codeHash(holdId, code), "hex"));

/**
 * Sends a hold's code through the deployment's SMS provider, written in the hold's transaction so that the code goes
 * out exactly when the hold commits (messages-store's `queueTransactionalSms`, which the sender then sends first).
 * Injected rather than imported: messages-store reads balances from this package.
 */
export type SendConfirmationSms = (tx: RawTx, sms: TransactionalSms) => Promise<unknown>;

/** Enough to recognise one's own number, not enough to learn someone's: "+48600100200" → "+48•••••200". */
export const maskPhone = (phone: string) => `${phone.slice(0, 3)}•••••${phone.slice(-3)}`;

/**
 * Creates the code a hold waits for and sends it by SMS, in the hold's transaction (under its customer's lock). A
 * customer without a phone cannot confirm, nor one whose codes are locked (`newCodeLock`): the hold is refused,
 * nothing is reserved and nothing is sent.
 */
export async function requestConfirmation(
  tx: RawTx,
  sendSms: SendConfirmationSms,
  hold: { tenantId: string; holdId: string; customerId: string; wallet: number; currency: string; expiresAt: Date },
  at: Date,
): Promise<HoldConfirmation> {
  const [phone] = await tx.$queryRaw<
    { value: string; tenant: string; tenant_language: string; customer_language: string | null }[]
  >`
    SELECT i.value, t.name AS tenant, t.language AS tenant_language, p.preferences->>'language' AS customer_language
    FROM customer_identities i
    JOIN tenants t ON t.id = i.tenant_id
    LEFT JOIN customer_profiles p ON p.customer_id = i.customer_id
    WHERE i.tenant_id = ${hold.tenantId} AND i.customer_id = ${hold.customerId} AND i.kind = 'phone'
    ORDER BY i.created_at DESC LIMIT 1`;
  if (!phone)
    throw new DomainError("hold_refused", "the hold cannot reserve all that was selected", [
      {
        path: "wallet",
        message:
          "phone_required: wallet cash is spent only with a code sent by SMS, and this customer has no phone number",
      },
    ]);
  const lock = newCodeLock(await customerCodeCounts(tx, hold.tenantId, hold.customerId, at));
  if (lock)
    throw new DomainError("hold_refused", "the hold cannot reserve all that was selected", [
      { path: "wallet", message: `confirmation_locked: ${lock.message}; wallet cash cannot be spent until later` },
    ]);
  const code = String(randomInt(0, 1_000_000)).padStart(6, "0");
  // A code never outlives its hold.
  const expiresAt = new Date(Math.min(at.getTime() + confirmationPolicy.ttlMs, hold.expiresAt.getTime()));
  const sentTo = maskPhone(phone.value);
  await tx.$executeRaw`
    INSERT INTO hold_confirmations (hold_id, tenant_id, code_hash, max_attempts, expires_at, sent_to, created_at)
    VALUES (${hold.holdId}, ${hold.tenantId}, ${codeHash(hold.holdId, code)}, ${confirmationPolicy.maxAttempts},
            ${expiresAt}, ${sentTo}, ${at})`;
  const minutes = Math.max(1, Math.round((expiresAt.getTime() - at.getTime()) / 60_000));
  await sendSms(tx, {
    tenantId: hold.tenantId,
    customerId: hold.customerId,
    to: phone.value,
    body: holdCodeSmsText(
      { code, brand: phone.tenant, amount: hold.wallet, currency: hold.currency, minutes },
      holdCodeLanguage(phone.customer_language, phone.tenant_language),
    ),
    key: `hold-code:${hold.holdId}`,
    expiresAt,
    at,
  });
  return { required: true, expiresAt: expiresAt.toISOString(), sentTo };
}

/** True when the hold waits for a code that was not given yet: its sale must commit nothing. */
export async function awaitsConfirmation(tx: RawTx, holdId: string): Promise<boolean> {
  const rows = await tx.$queryRaw<unknown[]>`
    SELECT 1 FROM hold_confirmations WHERE hold_id = ${holdId} AND confirmed_at IS NULL`;
  return rows.length > 0;
}

interface ConfirmationRow {
  code_hash: string;
  attempts: number;
  max_attempts: number;
  expires_at: Date;
  confirmed_at: Date | null;
}

/**
 * Confirms a hold with the code the customer was sent, under the hold's locks. A wrong code uses up an attempt of the
 * hold's and of its customer's (`customerConfirmationLimits`); the last of either releases the hold, and with the
 * customer's used up no code of theirs is checked, right or not, until the window has moved on. A code expired
 * unconfirmed released the hold (the sweep or a new hold of the customer ends it, `holdLapsed`, or this call if
 * first): the wallet cash is free again; a new hold sends a new code. Confirming again with the right code answers
 * the same. A failure is thrown after its transaction commits, so the attempt it counted stays counted.
 */
export async function confirmHold(
  deps: Pick<CheckoutDeps, "db" | "now">,
  tenantId: string,
  holdId: string,
  code: string,
): Promise<ConfirmedHold> {
  const now = deps.now?.() ?? new Date();
  const outcome = await withTransaction(deps.db, async (tx): Promise<ConfirmedHold | DomainError> => {
    const hold = await lockHold(tx, tenantId, holdId);
    if (!hold) throw new DomainError("not_found", `no hold ${holdId}`);
    const [row] = await tx.$queryRaw<ConfirmationRow[]>`
      SELECT code_hash, attempts, max_attempts, expires_at, confirmed_at FROM hold_confirmations
      WHERE hold_id = ${holdId} AND tenant_id = ${tenantId}`;
    if (!row)
      throw new DomainError(
        "conflict",
        `hold ${holdId} needs no confirmation: only a hold spending wallet cash is confirmed by a code`,
      );
    const matches = codeMatches(row.code_hash, holdId, code);
    if (row.confirmed_at) {
      if (matches) return { holdId, status: hold.status, confirmed: true };
      return new DomainError("confirmation_failed", `wrong code for hold ${holdId}, which is confirmed already`);
    }
    if (row.expires_at <= now) {
      // The sweep, or a new hold of the customer, may have released it already (`holdLapsed`): the answer is the same.
      if (hold.status === "held") await releaseLockedHold(tx, hold, "released", "confirmation_expired");
      return new DomainError(
        "confirmation_expired",
        `the code for hold ${holdId} expired at ${row.expires_at.toISOString()}; the hold was released: place a new hold to send a new code`,
      );
    }
    if (hold.status !== "held")
      throw new DomainError("hold_ended", `hold ${holdId} is ${hold.status}; place a new hold to send a new code`);
    // A hold with a code is a customer's: wallet cash is never a guest's.
    const counts = await customerCodeCounts(tx, tenantId, hold.customer_id!, now);
    const locked = attemptLock(counts);
    if (locked) {
      await releaseLockedHold(tx, hold, "released", "confirmation_locked");
      return new DomainError(
        "confirmation_failed",
        `${locked.message}: no code is checked until later; the hold was released`,
      );
    }
    if (!matches) {
      const left = Math.min(row.max_attempts - row.attempts, attemptsLeft(counts)) - 1;
      await tx.$executeRaw`UPDATE hold_confirmations SET attempts = attempts + 1 WHERE hold_id = ${holdId} AND tenant_id = ${tenantId}`;
      if (left > 0)
        return new DomainError("confirmation_failed", `wrong code: ${left} attempt${left === 1 ? "" : "s"} left`);
      await releaseLockedHold(tx, hold, "released", "confirmation_failed");
      const next =
        attemptsLeft(counts) > 1
          ? "place a new hold to send a new code"
          : "no code is sent to this customer until later";
      return new DomainError("confirmation_failed", `wrong code: no attempts left; the hold was released: ${next}`);
    }
    await tx.$executeRaw`UPDATE hold_confirmations SET confirmed_at = ${now} WHERE hold_id = ${holdId} AND tenant_id = ${tenantId}`;
    return { holdId, status: hold.status, confirmed: true };
  });
  if (outcome instanceof DomainError) throw outcome;
  return outcome;
}
