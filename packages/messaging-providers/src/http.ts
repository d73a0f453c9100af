import { type SendFailure, sendFailure } from "@regulars/messaging";

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
  /** Strings that must never appear in a failure message (tokens, keys) even if a provider echoes them. */
  secrets?: readonly string[];
}

/**
 * One POST to a provider's HTTP API, with every outcome sorted into what the retry policy needs:
 * 2xx is sent; 408, 429 and 5xx are worth retrying (with the provider's Retry-After); 401 and 403 mean our
 * credentials are wrong; other 4xx would fail again. A timeout or an unreachable host is retried too.
 */
export async function postToProvider(request: ProviderRequest): Promise<HttpAnswer> {
  const host = safeHost(request.url);
  const scrub = (text: string) => scrubSecrets(text, request.secrets ?? []);
  let response: Response;
  try {
    response = await fetch(request.url, {
      method: "POST",
      headers: request.headers,
      body: request.body,
      signal: AbortSignal.timeout(request.timeoutMs),
      redirect: "manual",
    });
  } catch (e) {
    const error = e as Error & { cause?: { code?: string } };
    if (error.name === "TimeoutError" || error.name === "AbortError")
      return { ok: false, failure: sendFailure("timeout", `no answer from ${host} in ${request.timeoutMs} ms`) };
    return { ok: false, failure: sendFailure("unreachable", scrub(`${host}: ${error.cause?.code ?? error.message}`)) };
  }
  const text = await response.text().catch(() => "");
  const status = response.status;
  if (status >= 200 && status < 300) return { ok: true, status, headers: response.headers, text };
  const said = scrub(`${status} from ${host}${text ? `: ${text.slice(0, 300)}` : ""}`);
  const retryAfterMs = retryAfter(response.headers.get("retry-after"));
  const extra = retryAfterMs === undefined ? { status } : { status, retryAfterMs };
  if (request.goneStatuses?.includes(status)) return { ok: false, failure: sendFailure("recipient_gone", said, extra) };
  if (status === 408) return { ok: false, failure: sendFailure("timeout", said, extra) };
  if (status === 429) return { ok: false, failure: sendFailure("rate_limited", said, extra) };
  if (status >= 500) return { ok: false, failure: sendFailure("provider_error", said, extra) };
  if (status === 401 || status === 403) return { ok: false, failure: sendFailure("misconfigured", said, extra) };
  return { ok: false, failure: sendFailure("rejected", said, extra) };
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

export function scrubSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (secret.length >= 4) out = out.split(secret).join("[redacted]");
  return out;
}

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
