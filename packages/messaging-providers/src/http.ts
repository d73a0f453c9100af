import { type SendFailure, sendFailure } from "@regulars/messaging";
import type { EndpointUrlPolicy } from "@regulars/webhooks";
import { endpointFetch, type Resolve, refusedWhenConnecting } from "./endpoint-check.ts";
import { failureText } from "./failure-text.ts";

export type HttpAnswer =
  | { ok: true; status: number; headers: Headers; text: string }
  | { ok: false; failure: SendFailure };

export interface ProviderRequest {
  url: string;
  headers: Record<string, string>;
  /** Bytes backed by a plain ArrayBuffer, which is what fetch accepts as a body in every typing of it. */
  body: string | Uint8Array<ArrayBuffer>;
  timeoutMs: number;
  /** Statuses meaning the recipient no longer exists (push: 404 and 410), not that the request was wrong. */
  goneStatuses?: readonly number[];
  /** Strings that must never appear in a failure message (tokens, keys), whatever a failure quotes. */
  secrets?: readonly string[];
  /**
   * Set where someone else chose the URL (a browser's push endpoint): the connection goes only to addresses the
   * policy allows, as the name resolves when connecting, not as it resolved to an earlier check.
   */
  endpoint?: { policy: EndpointUrlPolicy; resolve?: Resolve };
}

/**
 * One POST to a provider's HTTP API, with every outcome sorted into what the retry policy needs:
 * 2xx is sent; 408, 429 and 5xx are worth retrying (with the provider's Retry-After); 401 and 403 mean our
 * credentials are wrong; other 4xx would fail again. A timeout or an unreachable host is retried too.
 * The failure says the status and a fixed description, never the answer's body: a push endpoint is an address a
 * customer's device chose, and what it answers (an internal service's reply, the customer's number echoed by a
 * gateway) must not reach the message's stored error, the admin's screens or the tenant's webhooks.
 */
export async function postToProvider(request: ProviderRequest): Promise<HttpAnswer> {
  const host = safeHost(request.url);
  const scrub = (text: string) => failureText(text, request.secrets ?? []);
  const init = {
    method: "POST",
    headers: request.headers,
    body: request.body,
    signal: AbortSignal.timeout(request.timeoutMs),
    redirect: "manual",
  } as const;
  // What is read of an answer, global fetch's or undici's alike (their stream types differ in the DOM lib).
  let response: Pick<Response, "status" | "headers" | "text"> & { body: { cancel(): Promise<void> } | null };
  try {
    response = request.endpoint
      ? await endpointFetch(request.url, init, request.endpoint.policy, request.endpoint.resolve)
      : await fetch(request.url, init);
  } catch (e) {
    const error = e as Error & { cause?: { code?: string } };
    if (error.name === "TimeoutError" || error.name === "AbortError")
      return { ok: false, failure: sendFailure("timeout", `no answer from ${host} in ${request.timeoutMs} ms`) };
    const refused = refusedWhenConnecting(e);
    if (refused) return { ok: false, failure: sendFailure("unsupported", `${host} ${refused}`) };
    return { ok: false, failure: sendFailure("unreachable", scrub(`${host}: ${error.cause?.code ?? error.message}`)) };
  }
  const status = response.status;
  if (status >= 200 && status < 300) {
    const text = await response.text().catch(() => "");
    return { ok: true, status, headers: response.headers, text };
  }
  // The body is not read: cancelling it frees the connection at once.
  await response.body?.cancel().catch(() => {});
  const said = scrub(`${status} from ${host}: ${describeStatus(status, request.goneStatuses)}`);
  const retryAfterMs = retryAfter(response.headers.get("retry-after"));
  const extra = retryAfterMs === undefined ? { status } : { status, retryAfterMs };
  if (request.goneStatuses?.includes(status)) return { ok: false, failure: sendFailure("recipient_gone", said, extra) };
  if (status === 408) return { ok: false, failure: sendFailure("timeout", said, extra) };
  if (status === 429) return { ok: false, failure: sendFailure("rate_limited", said, extra) };
  if (status >= 500) return { ok: false, failure: sendFailure("provider_error", said, extra) };
  if (status === 401 || status === 403) return { ok: false, failure: sendFailure("misconfigured", said, extra) };
  return { ok: false, failure: sendFailure("rejected", said, extra) };
}

function describeStatus(status: number, goneStatuses: readonly number[] = []): string {
  if (goneStatuses.includes(status)) return "the recipient is gone";
  if (status === 408) return "the provider timed out";
  if (status === 429) return "too many requests";
  if (status >= 500) return "the provider's error";
  if (status === 401 || status === 403) return "our credentials were refused";
  if (status >= 300 && status < 400) return "a redirect, not followed";
  return "the request was refused";
}

/** `Retry-After` in seconds or as an HTTP date. */
function retryAfter(header: string | null): number | undefined {
  if (!header) return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

// The host only: a gateway URL may carry a key in its query string.
const safeHost = (url: string): string => {
  try {
    return new URL(url).host;
  } catch {
    return "the provider";
  }
};

/** The string or number at a dotted path (`id`, `messages.0.id`) of a JSON answer; undefined if it is not there. */
export function valueInAnswer(text: string, path: string): string | undefined {
  let at: unknown;
  try {
    at = JSON.parse(text);
  } catch {
    return undefined;
  }
  for (const key of path.split(".")) {
    if (at === null || typeof at !== "object") return undefined;
    at = (at as Record<string, unknown>)[key];
  }
  return typeof at === "string" || typeof at === "number" ? String(at) : undefined;
}
