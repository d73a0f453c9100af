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

// Every range of the IANA IPv4 special-purpose registry that is not globally reachable (RFC 6890 and later).
const privateV4 = [
  [0x00000000, 8], // 0.0.0.0/8 "this network"
  [0x0a000000, 8], // 10/8
  [0x64400000, 10], // 100.64/10 carrier-grade NAT
  [0x7f000000, 8], // loopback
  [0xa9fe0000, 16], // link-local, cloud metadata
  [0xac100000, 12], // 172.16/12
  [0xc0000000, 24], // 192.0.0.0/24 IETF protocol assignments (DS-Lite, NAT64 discovery)
  [0xc0000200, 24], // 192.0.2.0/24 documentation (TEST-NET-1)
  [0xc0586300, 24], // 192.88.99.0/24 deprecated 6to4 relay anycast
  [0xc0a80000, 16], // 192.168/16
  [0xc6120000, 15], // 198.18/15 benchmarking, often a lab or a transparent proxy's fake answers
  [0xc6336400, 24], // 198.51.100.0/24 documentation (TEST-NET-2)
  [0xcb007100, 24], // 203.0.113.0/24 documentation (TEST-NET-3)
  [0xe0000000, 3], // 224/4 multicast, 240/4 reserved, 255.255.255.255 broadcast
] as const;

function v4Number(address: string): number {
  return address.split(".").reduce((acc, part) => acc * 256 + Number(part), 0);
}

function isPrivateV4(n: number): boolean {
  return privateV4.some(([net, bits]) => Math.floor(n / 2 ** (32 - bits)) === Math.floor(net / 2 ** (32 - bits)));
}

/** The eight 16-bit groups of an address `isIP` calls IPv6, so prefixes are compared on values, not spellings. */
function v6Groups(address: string): number[] {
  let a = address.replace(/%.*$/, ""); // a zone (`fe80::1%eth0`) names an interface, not part of the address
  const dotted = /\d+\.\d+\.\d+\.\d+$/.exec(a);
  if (dotted) {
    const n = v4Number(dotted[0]);
    a = `${a.slice(0, dotted.index)}${Math.floor(n / 0x10000).toString(16)}:${(n % 0x10000).toString(16)}`;
  }
  const [head = "", tail] = a.split("::");
  const before = head ? head.split(":") : [];
  const after = tail ? tail.split(":") : [];
  const zeros = tail === undefined ? [] : Array<string>(8 - before.length - after.length).fill("0");
  return [...before, ...zeros, ...after].map((group) => Number.parseInt(group, 16));
}

/**
 * Besides its own private ranges, IPv6 has forms that carry an IPv4 address and reach it (mapped, translated,
 * NAT64, 6to4, Teredo), so `[64:ff9b::a9fe:a9fe]` is the metadata service: the carried address is checked too.
 */
function isPrivateV6(address: string): boolean {
  const g = v6Groups(address);
  const v4At = (i: number) => (g[i] ?? 0) * 0x10000 + (g[i + 1] ?? 0);
  const zero = (from: number, to: number) => g.slice(from, to).every((group) => group === 0);
  // ::/96 holds ::, ::1 and the deprecated IPv4-compatible form; no public host is addressed that way.
  if (zero(0, 6)) return true;
  if (zero(0, 5) && g[5] === 0xffff) return isPrivateV4(v4At(6)); // ::ffff:0:0/96 IPv4-mapped
  if (zero(0, 4) && g[4] === 0xffff && g[5] === 0) return isPrivateV4(v4At(6)); // ::ffff:0:0:0/96 translated
  if (g[0] === 0x64 && g[1] === 0xff9b) {
    if (zero(2, 6)) return isPrivateV4(v4At(6)); // 64:ff9b::/96 well-known NAT64
    if (g[2] === 1) return true; // 64:ff9b:1::/48 NAT64 for a local network only
  }
  if (g[0] === 0x2002) return isPrivateV4(v4At(1)); // 2002::/16 6to4
  if (g[0] === 0x2001 && g[1] === 0) return isPrivateV4(0xffffffff - v4At(6)); // Teredo: client address inverted
  const first = g[0] ?? 0;
  // The rest of the IANA IPv6 special-purpose registry that is not globally reachable: discard-only 100::/64,
  // benchmarking 2001:2::/48, ORCHID 2001:10::/28 and 2001:20::/28, documentation 2001:db8::/32 and 3fff::/20, and
  // SRv6 segment identifiers 5f00::/16.
  if (first === 0x100 && zero(1, 4)) return true;
  if (first === 0x2001 && (g[1] === 0xdb8 || (g[1] === 2 && g[2] === 0) || [0x10, 0x20].includes((g[1] ?? 0) & 0xfff0)))
    return true;
  if ((first === 0x3fff && ((g[1] ?? 0) & 0xf000) === 0) || first === 0x5f00) return true;
  // fc00::/7 unique local; fe80::/10 link-local, fec0::/10 old site-local and ff00::/8 multicast
  return (first & 0xfe00) === 0xfc00 || first >= 0xfe80;
}

/** Whether a host names this machine or a private network by its literal address or a local name. */
export function isPrivateHost(hostname: string): boolean {
  // A trailing dot only marks a name as fully qualified: `localhost.` is `localhost`.
  const host = hostname
    .replace(/^\[|\]$/g, "")
    .toLowerCase()
    .replace(/\.+$/, "");
  if (host === "localhost" || host.endsWith(".localhost") || host.endsWith(".local") || host.endsWith(".internal"))
    return true;
  const version = isIP(host);
  if (version === 4) return isPrivateV4(v4Number(host));
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
