import { isIP } from "node:net";

/**
 * Which receiver addresses are accepted. In production only `https` to public hosts: an endpoint is an address
 * our servers call on a tenant's behalf, and one pointing at our own network (metadata services, databases,
 * admin ports) would let a tenant probe it. Development and tests run receivers on localhost over `http`.
 */
export interface EndpointUrlPolicy {
  allowPrivateNetworks: boolean;
}

export const strictUrlPolicy: EndpointUrlPolicy = { allowPrivateNetworks: false };

const privateV4 = [
  [0x00000000, 8], // 0.0.0.0/8
  [0x0a000000, 8], // 10/8
  [0x64400000, 10], // 100.64/10 carrier-grade NAT
  [0x7f000000, 8], // loopback
  [0xa9fe0000, 16], // link-local, cloud metadata
  [0xac100000, 12], // 172.16/12
  [0xc0a80000, 16], // 192.168/16
  [0xe0000000, 3], // multicast and reserved
] as const;

function isPrivateV4(address: string): boolean {
  const n = address.split(".").reduce((acc, part) => acc * 256 + Number(part), 0);
  return privateV4.some(([net, bits]) => Math.floor(n / 2 ** (32 - bits)) === Math.floor(net / 2 ** (32 - bits)));
}

function isPrivateV6(address: string): boolean {
  const a = address.toLowerCase();
  if (a === "::" || a === "::1") return true;
  if (a.startsWith("::ffff:")) return isIP(a.slice(7)) === 4 ? isPrivateV4(a.slice(7)) : true;
  return /^(fc|fd|fe[89ab])/.test(a); // unique local, link-local
}

/** Whether a host names this machine or a private network by its literal address or a local name. */
export function isPrivateHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, "").toLowerCase();
  if (host === "localhost" || host.endsWith(".localhost") || host.endsWith(".local") || host.endsWith(".internal"))
    return true;
  const version = isIP(host);
  if (version === 4) return isPrivateV4(host);
  if (version === 6) return isPrivateV6(host);
  return !host.includes("."); // a bare name resolves inside our network only
}

/** Why a URL cannot be an endpoint, or null. Names resolved by DNS are checked again when sending. */
export function endpointUrlProblem(url: string, policy: EndpointUrlPolicy = strictUrlPolicy): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return "is not a URL";
  }
  if (url.length > 2_000) return "must be at most 2000 characters";
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:") return "must be an https URL";
  if (parsed.username || parsed.password) return "must not carry a user or password (the signature authenticates)";
  if (parsed.hash) return "must not have a #fragment";
  if (policy.allowPrivateNetworks) return null;
  if (parsed.protocol !== "https:") return "must be an https URL";
  if (isPrivateHost(parsed.hostname)) return "must point at a public host, not a private network or this machine";
  return null;
}
