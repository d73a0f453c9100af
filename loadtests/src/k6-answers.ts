/**
 * How the k6 scenarios judge the gateway's and the API's answers: what passes a check and what each answer counts
 * as. Pure and import-free on purpose (k6 loads this file, see baskets.ts): keep to ES2020, no numeric separators.
 */

/** The JSON value of an answer's body; null for no body or a body that is not JSON. */
export function jsonValue(raw: unknown): unknown {
  if (typeof raw !== "string") return null;
  try {
    return JSON.parse(raw);
  } catch {
    return null;
  }
}

/** The JSON object of an answer's body; null for no body, a body that is not JSON or JSON that is not an object. */
export function jsonObject(raw: unknown): Record<string, unknown> | null {
  const parsed = jsonValue(raw);
  return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)
    ? (parsed as Record<string, unknown>)
    : null;
}

/**
 * A `POST /v1/transactions` or `POST /v1/events` answer for an id posted for the first time. `duplicate` is a fault
 * there (every id is new: the gateway mixed up requests), so it is neither accepted nor a passing check.
 */
export type FirstPostAnswer = "accepted" | "duplicate" | "refused";

export function firstPostAnswer(status: number, raw: unknown, idField: string, id: string): FirstPostAnswer {
  const body = status === 202 ? jsonObject(raw) : null;
  if (body === null || body.status !== "accepted" || body[idField] !== id) return "refused";
  return body.duplicate === false ? "accepted" : "duplicate";
}

/** Our id of an event accepted for the first time, as `POST /v1/events` answers it; null for anything else. */
export function acceptedEventId(status: number, raw: unknown, eventId: string): string | null {
  if (firstPostAnswer(status, raw, "eventId", eventId) !== "accepted") return null;
  const id = jsonObject(raw)?.id;
  return typeof id === "string" && id.length > 0 ? id : null;
}

/** The outcome `GET /v1/events/{eventId}` reports of the event accepted as `id`; null while it has none (404). */
export function eventOutcome(httpStatus: number, raw: unknown, id: string): "processed" | "rejected" | null {
  const body = httpStatus === 200 ? jsonObject(raw) : null;
  if (body === null || body.id !== id) return null;
  return body.status === "processed" || body.status === "rejected" ? body.status : null;
}

/**
 * What a till does after posting a sale it then polls: only a 202 has anything to poll for. Any other answer (429,
 * 5xx, no answer) is a sale that will not settle, so it counts as unsettled rather than vanishing from the figures.
 */
export function afterSalePost(status: number): "poll" | "unsettled" {
  return status === 202 ? "poll" : "unsettled";
}

/** The `status` of a transaction's or an event's status answer; null while it is not known (404) or unreadable. */
export function statusOf(httpStatus: number, raw: unknown): string | null {
  const body = httpStatus === 200 ? jsonObject(raw) : null;
  return body !== null && typeof body.status === "string" ? body.status : null;
}

export interface ConsentStatement {
  channel: string;
  purpose: string;
  granted: boolean;
}

/**
 * Whether the profile's consents in force say what the sign-up gave, for each channel and purpose. A refusal may be
 * stored or left out: a pair never chosen counts as refused.
 */
export function consentsMatch(sent: readonly ConsentStatement[], inForce: unknown): boolean {
  if (!Array.isArray(inForce)) return false;
  return sent.every((s) => {
    const found = inForce.find(
      (c: unknown) =>
        typeof c === "object" &&
        c !== null &&
        (c as ConsentStatement).channel === s.channel &&
        (c as ConsentStatement).purpose === s.purpose,
    ) as ConsentStatement | undefined;
    return found === undefined ? !s.granted : found.granted === s.granted;
  });
}

/** A tRPC query as the apps' `httpBatchLink` sends it: a batch of one, the input as plain JSON (no transformer). */
export function trpcQueryUrl(apiUrl: string, procedure: string, input: unknown): string {
  return `${apiUrl}/trpc/${procedure}?batch=1&input=${encodeURIComponent(JSON.stringify({ 0: input }))}`;
}

/** A tRPC mutation as `httpBatchLink` sends it: POST to this URL with `trpcMutationBody(input)`. */
export function trpcMutationUrl(apiUrl: string, procedure: string): string {
  return `${apiUrl}/trpc/${procedure}?batch=1`;
}

export const trpcMutationBody = (input: unknown): string => JSON.stringify({ 0: input });

/** The data of the one call in a tRPC batch answer; null for its error or an answer that is not one. */
export function trpcData(httpStatus: number, raw: unknown): Record<string, unknown> | null {
  const parsed = httpStatus === 200 ? jsonValue(raw) : null;
  const call: unknown = Array.isArray(parsed) ? parsed[0] : null;
  const data =
    typeof call === "object" && call !== null && "result" in call
      ? (call as { result?: { data?: unknown } }).result?.data
      : null;
  return typeof data === "object" && data !== null ? (data as Record<string, unknown>) : null;
}

/** A priced quote: what the kiosk shows before the customer pays. */
export function isQuote(data: Record<string, unknown> | null): boolean {
  return typeof data?.total === "number" && typeof data.subtotal === "number" && Array.isArray(data.lines);
}

/** A till view of the customer expected (what `customers.identify` and `customers.get` answer a kiosk key). */
export function isTillViewOf(data: Record<string, unknown> | null, customerId: string): boolean {
  const points = data?.points as { balance?: unknown } | undefined;
  return data?.view === "till" && data.id === customerId && typeof points?.balance === "number";
}
