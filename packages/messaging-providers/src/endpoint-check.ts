import { lookup } from "node:dns/promises";
import { isIP, type LookupFunction } from "node:net";
import { type EndpointUrlPolicy, endpointUrlProblem, isPrivateHost } from "@regulars/webhooks";
import { Agent, type Dispatcher, fetch, type RequestInit, type Response } from "undici";

export type EndpointCheck = { ok: true } | { ok: false; refused: string } | { ok: false; unresolved: string };

/** Every address a host name resolves to: the system's resolver, or a test's stand-in for DNS. */
export type Resolve = (hostname: string) => Promise<{ address: string; family: number }[]>;

export const systemResolve: Resolve = (hostname) => lookup(hostname, { all: true });

const privateAnswer = "resolves to a private address";

/**
 * Whether we may POST to an address someone else chose (a browser's push endpoint, a tenant's receiver): the URL
 * policy (https, no private host by its literal address), then under the strict policy every address its name
 * resolves to, so a public-looking name for 127.0.0.1 or a metadata service is refused before connecting. A name
 * that cannot be resolved now may resolve later: the caller retries that. The name is resolved again when
 * connecting (see `endpointFetch`), and that answer is checked too.
 */
export async function checkEndpoint(
  url: string,
  policy: EndpointUrlPolicy,
  resolve: Resolve = systemResolve,
): Promise<EndpointCheck> {
  const problem = endpointUrlProblem(url, policy);
  if (problem) return { ok: false, refused: problem };
  if (policy.allowPrivateNetworks) return { ok: true };
  const host = new URL(url).hostname.replace(/^\[|\]$/g, "");
  if (isIP(host)) return { ok: true }; // a literal address was checked by the policy
  try {
    const addresses = await resolve(host);
    if (addresses.some((a) => isPrivateHost(a.address))) return { ok: false, refused: privateAnswer };
    return { ok: true };
  } catch (e) {
    return { ok: false, unresolved: `cannot be resolved (${(e as { code?: string }).code ?? "DNS error"})` };
  }
}

class PrivateAddressError extends Error {
  readonly code = "EPRIVATEADDRESS";
}

/**
 * The socket's own name lookup for calls to endpoints: the socket connects to exactly the addresses this returns,
 * and under the strict policy it refuses a name with any private address. A check made before connecting is not
 * enough on its own: the name is resolved again to connect, and a name that answered a public address to the check
 * may answer 127.0.0.1 (DNS rebinding) the moment after.
 */
export function checkedLookup(policy: EndpointUrlPolicy, resolve: Resolve = systemResolve): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname).then(
      (answers) => {
        if (!policy.allowPrivateNetworks && answers.some((a) => isPrivateHost(a.address)))
          return callback(new PrivateAddressError(`${hostname} ${privateAnswer}`), "");
        const wanted = options.family ? answers.filter((a) => a.family === options.family) : answers;
        const first = wanted[0];
        if (!first) return callback(Object.assign(new Error(`${hostname} has no address`), { code: "ENOTFOUND" }), "");
        if (options.all) return callback(null, wanted);
        return callback(null, first.address, first.family);
      },
      (e: NodeJS.ErrnoException) => callback(e, ""),
    );
  };
}

// One agent per resolver and policy, so connections to a receiver are kept alive between attempts as fetch's
// own agent keeps them; a kept connection is to an address that was checked when it was opened.
const agents = new WeakMap<Resolve, Map<boolean, Dispatcher>>();

function endpointDispatcher(policy: EndpointUrlPolicy, resolve: Resolve): Dispatcher {
  let byPolicy = agents.get(resolve);
  if (!byPolicy) {
    byPolicy = new Map();
    agents.set(resolve, byPolicy);
  }
  let agent = byPolicy.get(policy.allowPrivateNetworks);
  if (!agent) {
    agent = new Agent({ connect: { lookup: checkedLookup(policy, resolve) } });
    byPolicy.set(policy.allowPrivateNetworks, agent);
  }
  return agent;
}

/** `fetch` to an endpoint someone else chose, connecting only where `checkedLookup` allows. */
export function endpointFetch(
  url: string,
  init: Omit<RequestInit, "dispatcher">,
  policy: EndpointUrlPolicy,
  resolve: Resolve = systemResolve,
): Promise<Response> {
  return fetch(url, { ...init, dispatcher: endpointDispatcher(policy, resolve) });
}

/** Why `endpointFetch` refused to connect (the name answered a private address when connecting), or null. */
export function refusedWhenConnecting(e: unknown): string | null {
  return (e as { cause?: unknown })?.cause instanceof PrivateAddressError ? privateAnswer : null;
}
