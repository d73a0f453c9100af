/**
 * What one answer of the gateway says about the sale it was sent: `stored` (202, or 409: stored before under
 * this number), `busy` (429: certainly not stored, worth asking again), `refused` (any other 4xx, and a 409 whose
 * code says the sale's basket is not the one its hold priced: certainly not stored, and asking again would be
 * refused the same way), `unknown` (no answer, a 5xx, a timeout: it may or may not have been stored).
 */
export type GatewayAnswer = number | "unreachable";
export type AnswerMeaning = "stored" | "busy" | "refused" | "unknown";

/** The 409 codes that refuse a sale without storing it; any other 409 means it was stored before. */
const conflictsNotStored = new Set(["hold_mismatch", "hold_unconfirmed"]);

export function meaningOf(answer: GatewayAnswer, code?: string): AnswerMeaning {
  if (answer === "unreachable" || answer >= 500 || answer === 408) return "unknown";
  if (answer === 409 && code !== undefined && conflictsNotStored.has(code)) return "refused";
  if ((answer >= 200 && answer < 300) || answer === 409) return "stored";
  if (answer === 429) return "busy";
  return "refused";
}

export type SendStep = "accepted" | "retry" | "refused" | "unconfirmed";

/** How many times one sale is posted, under the same externalId, before the kiosk stops asking. */
export const SEND_ATTEMPTS = 4;

/**
 * After the answers so far (oldest first), what to do next. The same externalId makes a repeat harmless (the
 * gateway answers "duplicate"); a refusal counts as "not stored" only if no earlier answer left that open, because
 * the hold may be voided only when no stored sale names it.
 */
export function nextSendStep(answers: AnswerMeaning[], attempts = SEND_ATTEMPTS): SendStep {
  const last = answers.at(-1);
  if (last === "stored") return "accepted";
  const mayBeStored = answers.includes("unknown");
  if (last === "refused") return mayBeStored ? "unconfirmed" : "refused";
  if (answers.length < attempts) return "retry";
  return mayBeStored ? "unconfirmed" : "refused";
}

/** The wait before the next post of the same sale: 0.5 s, 1 s, 2 s, then 4 s. */
export const sendRetryDelayMs = (attempt: number): number => Math.min(500 * 2 ** attempt, 4000);

/** The wait before asking the ledger again: quick at first (most sales land within a second), then easing off. */
export const pollDelayMs = (attempt: number): number => Math.min(Math.round(750 * 1.5 ** attempt), 5000);

/**
 * How long the kiosk waits for one answer before treating it as none: a dropped Wi-Fi or a proxy holding the
 * connection would otherwise keep the customer on "Sending your order…" until the browser gives up, minutes later.
 * A sale post that times out is an `unknown` answer (it may have been stored); an API call (hold, void, asking the
 * ledger) that times out is a failed call.
 */
export const SALE_POST_TIMEOUT_MS = 10_000;
export const API_CALL_TIMEOUT_MS = 10_000;

/** How long "order received" may stand before the kiosk says the customer can go and staff can check. */
export const RECEIVED_PATIENCE_MS = 30_000;
