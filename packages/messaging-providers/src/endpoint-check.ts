import { lookup } from "node:dns/promises";
import { isIP } from "node:net";
import { type EndpointUrlPolicy, endpointUrlProblem, isPrivateHost } from "@regulars/webhooks";

export type EndpointCheck = { ok: true } | { ok: false; refused: string } | { ok: false; unresolved: string };

/**
 * Whether we may POST to an address someone else chose (a browser's push endpoint), checked as the webhook sender
 * checks a tenant's receiver: the URL policy (https, no private host by its literal address), then under the
 * strict policy every address its name resolves to, so a public-looking name for 127.0.0.1 or a metadata service
 * is refused before connecting. A name that cannot be resolved now may resolve later: the caller retries that.
 */
export async function checkEndpoint(url: string, policy: EndpointUrlPolicy): Promise<EndpointCheck> {
  const problem = endpointUrlProblem(url, policy);
  if (problem) return { ok: false, refused: problem };
  if (policy.allowPrivateNetworks) return { ok: true };
  const host = new URL(url).hostname.replace(/^\[|\]$/g, "");
  if (isIP(host)) return { ok: true }; // a literal address was checked by the policy
  try {
    const addresses = await lookup(host, { all: true });
    if (addresses.some((a) => isPrivateHost(a.address))) return { ok: false, refused: "resolves to a private address" };
    return { ok: true };
  } catch (e) {
    return { ok: false, unresolved: `cannot be resolved (${(e as { code?: string }).code ?? "DNS error"})` };
  }
}
