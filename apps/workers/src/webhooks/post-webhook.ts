import { checkEndpoint, endpointFetch, type Resolve, refusedWhenConnecting } from "@regulars/messaging-providers";
import { type EndpointUrlPolicy, signedHeaders } from "@regulars/webhooks";
import type { AttemptResult, ClaimedDelivery } from "@regulars/webhooks-store";

export interface PostOptions {
  timeoutMs: number;
  urlPolicy: EndpointUrlPolicy;
  /** The attempt's time: its `webhook-timestamp`. */
  now: Date;
  /** How the receiver's name is resolved, for the check and when connecting: the system's resolver when absent. */
  resolve?: Resolve;
}

/**
 * One attempt: the body POSTed with its Standard Webhooks headers, signed for this attempt. 2xx is delivered;
 * any other answer (redirects are not followed), a refused connection or no answer within `timeoutMs` failed.
 * Under the strict policy, a host whose name resolves to a private address is refused before connecting, and
 * again if the name answers a private address when the connection is made (DNS rebinding).
 */
export async function postWebhook(delivery: ClaimedDelivery, opts: PostOptions): Promise<AttemptResult> {
  const check = await checkEndpoint(delivery.url, opts.urlPolicy, opts.resolve);
  if (!check.ok)
    return { ok: false, statusCode: null, error: `url ${"refused" in check ? check.refused : check.unresolved}` };
  try {
    const response = await endpointFetch(
      delivery.url,
      {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "user-agent": "Regulars-Webhooks/1",
          ...signedHeaders(delivery.id, opts.now, delivery.body, delivery.secrets),
        },
        body: delivery.body,
        redirect: "manual",
        signal: AbortSignal.timeout(opts.timeoutMs),
      },
      opts.urlPolicy,
      opts.resolve,
    );
    // The answer's body is not needed; cancelling it frees the connection at once.
    await response.body?.cancel().catch(() => {});
    if (response.status >= 200 && response.status < 300) return { ok: true, statusCode: response.status };
    return { ok: false, statusCode: response.status, error: `HTTP ${response.status}` };
  } catch (e) {
    const refused = refusedWhenConnecting(e);
    if (refused) return { ok: false, statusCode: null, error: `url ${refused}` };
    return { ok: false, statusCode: null, error: describeFailure(e, opts.timeoutMs) };
  }
}

function describeFailure(e: unknown, timeoutMs: number): string {
  const err = e as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (err.name === "TimeoutError" || err.name === "AbortError") return `no answer within ${timeoutMs} ms`;
  const cause = err.cause?.code ?? err.cause?.message;
  return cause ? `${err.message ?? "request failed"}: ${cause}` : (err.message ?? String(e));
}
