import type { ApiFailure, useTRPCClient } from "@regulars/web-ui";
import type { Quote, Selection } from "./basket.ts";
import {
  type AnswerMeaning,
  API_CALL_TIMEOUT_MS,
  meaningOf,
  nextSendStep,
  pollDelayMs,
  SALE_POST_TIMEOUT_MS,
  sendRetryDelayMs,
} from "./sending.ts";

type Client = ReturnType<typeof useTRPCClient>;
type QuoteRequest = Parameters<Client["checkout"]["quote"]["query"]>[0];

/**
 * The hold refused what was chosen (someone else spent the points, the coupon ran out): each item and why. The
 * issues' paths (`couponCodes.1`) index `selection`, what was sent, which leaves out what the quote refused.
 */
export class HoldRefused extends Error {
  constructor(
    readonly issues: { path: string; message: string }[],
    readonly selection: Selection,
  ) {
    super("hold_refused");
  }
}

/** The hold priced the order differently from the quote on the Pay button: it was voided, nothing was charged. */
export class PriceChanged extends Error {
  constructor(readonly total: number) {
    super("price_changed");
  }
}

/** The ledger refused the sale; `code` is its machine-readable reason. */
export class SaleRejected extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The hold did not answer in time: it may exist, and its id is not known yet. */
export class HoldTimedOut extends Error {
  constructor() {
    super("hold_timed_out");
  }
}

/**
 * The answer of `pending` if it comes within `ms`, else `onTimeout()` is thrown and a late answer goes to
 * `onLate` instead: the work was not cancelled, so whatever it made (a hold) must still be undone.
 */
export function beforeDeadline<T>(
  pending: Promise<T>,
  ms: number,
  onTimeout: () => Error,
  onLate: (value: T) => void,
): Promise<T> {
  let timedOut = false;
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      timedOut = true;
      reject(onTimeout());
    }, ms);
    pending.then(
      (value) => {
        clearTimeout(timer);
        if (timedOut) onLate(value);
        else resolve(value);
      },
      (err) => {
        clearTimeout(timer);
        if (!timedOut) reject(err);
      },
    );
  });
}

/** Frees a hold nobody will pay with; an expired hold is released by the scheduled jobs anyway. */
export const voidHold = (client: Client, holdId: string) =>
  client.checkout.void.mutate({ holdId }, { signal: AbortSignal.timeout(API_CALL_TIMEOUT_MS) }).catch(() => {});

const codeOf = (err: unknown) => (err as { data?: { error?: ApiFailure } })?.data?.error;
const spendsSomething = (s: Selection) => s.couponCodes.length > 0 || s.rewardIds.length > 0 || s.points > 0;

/**
 * Whether paying needs a hold: a member's coupons, rewards or points, a guest's coupon codes. A coupon's uses are
 * limited, so a guest's code is reserved too, or two kiosks could both give its last use. Nothing chosen needs
 * none: the quote's own lines are posted (a tier discount applies by itself).
 */
export const needsHold = (request: Pick<QuoteRequest, "customer">, s: Selection) =>
  request.customer ? spendsSomething(s) : s.couponCodes.length > 0;

/**
 * What the quote gave of the customer's selection: the codes, rewards and points it refused are left out. A hold is
 * all or nothing, so holding a refused item too would refuse the whole order on every tap, while the Pay button
 * names the quote's total, which already leaves them out. They stay selected, on screen with their reason.
 */
export function acceptedSelection(selection: Selection, quote: Quote): Selection {
  const refusedCodes = new Set(quote.coupons.filter((c) => c.selected && c.refusal).map((c) => c.code));
  const refusedRewards = new Set(quote.rewards.filter((r) => r.selected && r.refusal).map((r) => r.id));
  return {
    couponCodes: selection.couponCodes.filter((code) => !refusedCodes.has(code.trim().toUpperCase())),
    rewardIds: selection.rewardIds.filter((id) => !refusedRewards.has(id)),
    points: quote.points.refusal ? 0 : selection.points,
  };
}

/**
 * Reserves what the quote accepted of the customer's choice (`acceptedSelection`), all or nothing, and answers the
 * price to post (see `needsHold`). A hold that prices otherwise than `quote` (something changed since) is voided:
 * the customer pays what the button said or is shown the new price first.
 */
export async function reserve(
  client: Client,
  request: QuoteRequest,
  chosen: Selection,
  quote: Quote,
): Promise<{ holdId: string | null; quote: Quote }> {
  const selection = acceptedSelection(chosen, quote);
  if (!needsHold(request, selection)) return { holdId: null, quote };
  let hold: Awaited<ReturnType<Client["checkout"]["hold"]["mutate"]>>;
  try {
    // Not aborted on timeout: a hold made after all is voided when its answer arrives.
    hold = await beforeDeadline(
      client.checkout.hold.mutate({ ...request, ...selection }),
      API_CALL_TIMEOUT_MS,
      () => new HoldTimedOut(),
      (late) => void voidHold(client, late.holdId),
    );
  } catch (err) {
    const body = codeOf(err);
    if (body?.code === "hold_refused") throw new HoldRefused(body.issues ?? [], selection);
    throw err;
  }
  if (hold.quote.total !== quote.total) {
    await voidHold(client, hold.holdId);
    throw new PriceChanged(hold.quote.total);
  }
  return { holdId: hold.holdId, quote: hold.quote };
}

export interface Sale {
  externalId: string;
  body: Record<string, unknown>;
}

/** The sale as the gateway takes it: each line's discount and the total from the quote that reserved it. */
export function saleOf(request: QuoteRequest, quote: Quote, holdId: string | null): Sale {
  const externalId = `KIOSK-${request.basket.locationId}-${Date.now().toString(36)}-${crypto.randomUUID().slice(0, 8)}`;
  const couponCodes = quote.applied.filter((a) => a.source === "coupon").map((a) => a.ref!);
  return {
    externalId,
    body: {
      externalId,
      type: "sale",
      occurredAt: new Date().toISOString(),
      locationId: request.basket.locationId,
      channel: "kiosk",
      ...(request.customer ? { customer: request.customer } : {}),
      currency: request.basket.currency,
      lines: request.basket.lines.map((line, i) => ({ ...line, discount: quote.lines[i]!.discount })),
      total: quote.total,
      couponCodes,
      ...(holdId ? { holdId } : {}),
    },
  };
}

/** The gateway never said clearly whether it stored the sale: staff look it up by `externalId`. */
export class SaleUnconfirmed extends Error {
  constructor(readonly externalId: string) {
    super("sale_unconfirmed");
  }
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Posts the sale to the ingestion gateway with the kiosk's key, again under the same externalId while the answer
 * leaves open whether it was stored. Resolves once stored; throws the gateway's body when it certainly was not
 * (the hold may then be voided), `SaleUnconfirmed` when that stays unknown. A post unanswered within `timeoutMs`
 * counts as no answer.
 */
export async function sendSale(
  gatewayUrl: string,
  apiKey: string,
  sale: Sale,
  timeoutMs = SALE_POST_TIMEOUT_MS,
): Promise<void> {
  const answers: AnswerMeaning[] = [];
  let lastFailure: unknown = null;
  for (;;) {
    const res = await fetch(`${gatewayUrl}/v1/transactions`, {
      method: "POST",
      headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
      body: JSON.stringify(sale.body),
      // A post that outlives this was perhaps stored: the same as no answer.
      signal: AbortSignal.timeout(timeoutMs),
    }).catch(() => null);
    let code: string | undefined;
    if (res && !res.ok) {
      const body = (await res.json().catch(() => null)) as ApiFailure | null;
      code = body?.code;
      lastFailure = body?.code ? body : new Error(`the gateway answered ${res.status}`);
    }
    answers.push(meaningOf(res ? res.status : "unreachable", code));
    const step = nextSendStep(answers);
    if (step === "accepted") return;
    if (step === "refused") throw lastFailure ?? new Error("the gateway refused the sale");
    if (step === "unconfirmed") throw new SaleUnconfirmed(sale.externalId);
    await pause(sendRetryDelayMs(answers.length - 1));
  }
}

export type Processed = Extract<Awaited<ReturnType<Client["transactions"]["get"]["query"]>>, { status: "processed" }>;

/**
 * Asks until the ledger decided: the processed record, `SaleRejected` with its reason, or null once `stillWanted`
 * says the visit is over. The sale is stored, so a failed question (the API restarting, rate limits) is only a
 * reason to ask again later, never an answer.
 */
export async function waitForOutcome(
  client: Client,
  externalId: string,
  stillWanted: () => boolean,
): Promise<Processed | null> {
  for (let attempt = 0; stillWanted(); attempt++) {
    const record = await client.transactions.get
      .query({ externalId }, { signal: AbortSignal.timeout(API_CALL_TIMEOUT_MS) })
      .catch(() => null);
    if (record?.status === "processed") return record;
    if (record?.status === "rejected") throw new SaleRejected(record.reason.code, record.reason.message);
    await pause(pollDelayMs(attempt));
  }
  return null;
}
