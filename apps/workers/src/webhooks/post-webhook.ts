import { lookup } from "node:dns/promises";
import { isIP } from "node:net";
import { type EndpointUrlPolicy, endpointUrlProblem, isPrivateHost, signedHeaders } from "@regulars/webhooks";
import type { AttemptResult, ClaimedDelivery } from "@regulars/webhooks-store";

export interface PostOptions {
  timeoutMs: number;
  urlPolicy: EndpointUrlPolicy;
  /** The attempt's time: its `webhook-timestamp`. */
  now: Date;
}

/**
 * One attempt: the body POSTed with its Standard Webhooks headers, signed for this attempt. 2xx is delivered;
 * any other answer (redirects are not followed), a refused connection or no answer within `timeoutMs` failed.
 * Under the strict policy, a host whose name resolves to a private address is refused before connecting.
 */
export async function postWebhook(delivery: ClaimedDelivery, opts: PostOptions): Promise<AttemptResult> {
  const problem =
    endpointUrlProblem(delivery.url, opts.urlPolicy) ?? (await resolvedProblem(delivery.url, opts.urlPolicy));
  if (problem) return { ok: false, statusCode: null, error: `url ${problem}` };
  try {
    const response = await fetch(delivery.url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "user-agent": "Regulars-Webhooks/1",
        ...signedHeaders(delivery.id, opts.now, delivery.body, delivery.secrets),
      },
      body: delivery.body,
      redirect: "manual",
      signal: AbortSignal.timeout(opts.timeoutMs),
    });
    // The answer's body is not needed; cancelling it frees the connection at once.
    await response.body?.cancel().catch(() => {});
    if (response.status >= 200 && response.status < 300) return { ok: true, statusCode: response.status };
    return { ok: false, statusCode: response.status, error: `HTTP ${response.status}` };
  } catch (e) {
    return { ok: false, statusCode: null, error: describeFailure(e, opts.timeoutMs) };
  }
}

async function resolvedProblem(url: string, policy: EndpointUrlPolicy): Promise<string | null> {
  if (policy.allowPrivateNetworks) return null;
  const host = new URL(url).hostname.replace(/^\[|\]$/g, "");
  if (isIP(host)) return null;
  try {
    const addresses = await lookup(host, { all: true });
    return addresses.some((a) => isPrivateHost(a.address)) ? "resolves to a private address" : null;
  } catch (e) {
    return `cannot be resolved (${(e as { code?: string }).code ?? "DNS error"})`;
  }
}

function describeFailure(e: unknown, timeoutMs: number): string {
  const err = e as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (err.name === "TimeoutError" || err.name === "AbortError") return `no answer within ${timeoutMs} ms`;
  const cause = err.cause?.code ?? err.cause?.message;
  return cause ? `${err.message ?? "request failed"}: ${cause}` : (err.message ?? String(e));
}
