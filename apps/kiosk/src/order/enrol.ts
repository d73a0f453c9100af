import { phoneSpellings, readPhone } from "@regulars/contracts/phone";
import type { ApiFailure } from "@regulars/web-ui";
import { API_CALL_TIMEOUT_MS } from "./sending.ts";

/** "+48 600-100-200" → "+48600100200"; "0048..." → "+48...": what E.164 wants, from what people type. */
export const e164 = (typed: string) =>
  typed
    .trim()
    .replace(/[\s().-]/g, "")
    .replace(/^00/, "+");

/** The body of `POST /v1/customers/enrolments`: the phone, the store, and the choices made on screen. */
export interface EnrolmentRequest {
  phone: string;
  locationId: string;
  consents: { channel: "sms"; purpose: "marketing"; granted: boolean }[];
}

export interface Enrolment {
  customerId: string;
  created: boolean;
}

/**
 * What joining sends. Only a ticked box is a choice: an unticked one sends no consent at all, because a refusal
 * recorded here would withdraw the SMS offers the phone's customer agreed to elsewhere if the number turns out to
 * have one after all (another till enrolled it a moment ago).
 */
export function enrolmentOf(phone: string, locationId: string, textMeOffers: boolean): EnrolmentRequest {
  return {
    phone,
    locationId,
    consents: textMeOffers ? [{ channel: "sms", purpose: "marketing", granted: true }] : [],
  };
}

/** After a phone matched nobody: join with it, or check it, as no one can have it; `null`: nothing to offer. */
export type NotFoundOffer = { join: string } | { checkNumber: string } | null;

/**
 * What a failed look-up offers: joining with a phone number that matched no customer, and only while the field still
 * holds that number (a corrected number must be looked up first, or a known customer could be offered to join). A
 * token or card that matched nothing offers nothing: only a phone enrols.
 *
 * The look-up takes any number of a possible length, as a sale may have created its customer; joining takes only a
 * valid one, as the gateway does (`enrolAtTill`: the spelling it stores must be valid), so a typo is not offered to
 * become an account that never gets an SMS: the customer is asked to check the number instead.
 */
export function joinOfferFor(
  typed: string,
  failed: { code: string | undefined; asked: unknown } | null,
): NotFoundOffer {
  if (failed?.code !== "not_found") return null;
  const asked = (failed.asked as { phone?: unknown } | undefined)?.phone;
  if (typeof asked !== "string" || asked !== e164(typed)) return null;
  return canEnrol(asked) ? { join: asked } : { checkNumber: asked };
}

/** The gateway's judgement of an enrolment's phone, made with the same reading so the two never disagree. */
function canEnrol(phone: string): boolean {
  const reading = readPhone(phoneSpellings(phone).preferred);
  return "phone" in reading && reading.valid;
}

/** The gateway did not enrol the customer: its error body, or `unreachable` when no answer came in time. */
export class EnrolmentFailed extends Error {
  constructor(readonly failure: ApiFailure) {
    super(failure.message);
  }
}

/**
 * Enrols the customer through the ingestion gateway with the kiosk's key, as sales are posted. Tried once: the
 * enrolment is keyed by the phone, so pressing Join again after a failure is harmless and finds the same customer.
 */
export async function enrolAtKiosk(
  gatewayUrl: string,
  apiKey: string,
  request: EnrolmentRequest,
  timeoutMs = API_CALL_TIMEOUT_MS,
): Promise<Enrolment> {
  const res = await fetch(`${gatewayUrl}/v1/customers/enrolments`, {
    method: "POST",
    headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
    body: JSON.stringify(request),
    signal: AbortSignal.timeout(timeoutMs),
  }).catch(() => null);
  if (!res) throw new EnrolmentFailed({ code: "unreachable", message: "the gateway did not answer" });
  const body = (await res.json().catch(() => null)) as (Enrolment & Partial<ApiFailure>) | null;
  if (res.ok && body?.customerId) return { customerId: body.customerId, created: Boolean(body.created) };
  throw new EnrolmentFailed(
    body?.code && body.message
      ? { code: body.code, message: body.message, ...(body.requestId ? { requestId: body.requestId } : {}) }
      : { code: "unreachable", message: `the gateway answered ${res.status}` },
  );
}
