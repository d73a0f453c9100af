import { z } from "zod";

/** What a browser's `PushSubscription.toJSON()` gives: its push service's endpoint and the keys to encrypt for. */
export const WebPushSubscription = z.object({
  endpoint: z.string().max(2_000),
  expirationTime: z.number().nullish(),
  keys: z.object({ p256dh: z.string().min(1), auth: z.string().min(1) }),
});

/** Whether endpoints on this machine or a private network, over http, are accepted (development and tests only). */
export interface PushEndpointPolicy {
  allowPrivateNetworks: boolean;
}

/**
 * Why a web push endpoint cannot be registered, or null. Our workers POST to it, so one pointing at our own
 * network (metadata services, admin ports) would let whoever registers a device probe it. Push services are
 * public hosts reached by name over https: an IP address, a local name or http is refused unless the policy
 * allows private networks. A public name resolving to a private address is refused by the sender.
 */
export function webPushEndpointProblem(endpoint: string, policy: PushEndpointPolicy): string | null {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return "is not a URL";
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return "must be an https URL";
  if (url.username || url.password) return "must not carry a user or password";
  if (policy.allowPrivateNetworks) return null;
  if (url.protocol !== "https:") return "must be an https URL";
  // The URL parser writes every IPv4 form (2130706433, 0x7f.1) as dotted decimals and IPv6 in brackets.
  const host = url.hostname.toLowerCase().replace(/\.$/, "");
  if (/^[\d.]+$/.test(host) || host.startsWith("[")) return "must name a push service's host, not an IP address";
  if (!host.includes(".") || /(^|\.)(localhost|local|internal)$/.test(host))
    return "must name a public push service, not this machine or a private network";
  return null;
}

/** Why a `web` device's token cannot be used, or null: it must be a browser's subscription whose endpoint we may call. */
export function webPushTokenProblem(token: string, policy: PushEndpointPolicy): string | null {
  let json: unknown;
  try {
    json = JSON.parse(token);
  } catch {
    json = undefined;
  }
  const subscription = WebPushSubscription.safeParse(json);
  if (!subscription.success)
    return "for web, give the browser's PushSubscription as JSON: { endpoint, keys: { p256dh, auth } }";
  const problem = webPushEndpointProblem(subscription.data.endpoint, policy);
  return problem && `endpoint ${problem}`;
}
