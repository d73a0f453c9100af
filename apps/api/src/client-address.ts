import { BlockList, isIP } from "node:net";

/** The proxies whose X-Forwarded-For is believed, from TRUSTED_PROXIES' addresses and CIDR blocks. */
export function trustedProxyList(entries: readonly string[]): BlockList {
  const list = new BlockList();
  for (const entry of entries) {
    const [address = "", prefix] = entry.split("/");
    const type = isIP(address) === 6 ? "ipv6" : "ipv4";
    if (prefix === undefined) list.addAddress(address, type);
    else list.addSubnet(address, Number(prefix), type);
  }
  return list;
}

const isTrusted = (address: string, proxies: BlockList) =>
  proxies.check(address, isIP(address) === 6 ? "ipv6" : "ipv4");

/** An address as a proxy may write it: `1.2.3.4:5678` or `[2001:db8::1]:443` lose the port. */
function addressOnly(hop: string): string {
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(hop);
  if (bracketed) return bracketed[1]!;
  const withPort = /^([\d.]+):\d+$/.exec(hop);
  return withPort ? withPort[1]! : hop;
}

/** The eight 16-bit groups of an IPv6 address however it is spelled: compressed or full, a zone or a dotted tail. */
function ipv6Groups(address: string): number[] {
  // The URL parser writes any spelling (without the zone, which it refuses) compressed and in hex only.
  const written = new URL(`http://[${address.split("%")[0]}]/`).hostname.slice(1, -1);
  const [head = "", tail] = written.split("::");
  const groups = (part: string | undefined) => (part ? part.split(":").map((group) => Number.parseInt(group, 16)) : []);
  if (tail === undefined) return groups(head);
  const [left, right] = [groups(head), groups(tail)];
  return [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
}

const isIpv4Mapped = (groups: number[]) => groups.slice(0, 5).every((group) => group === 0) && groups[5] === 0xffff;

/** IPv4 clients of a dual-stack socket arrive as `::ffff:1.2.3.4` (or `::ffff:102:304`): one client, one spelling. */
function canonical(address: string): string {
  if (isIP(address) !== 6) return address;
  const groups = ipv6Groups(address);
  if (!isIpv4Mapped(groups)) return address;
  const [high = 0, low = 0] = groups.slice(6);
  return [high >> 8, high & 0xff, low >> 8, low & 0xff].join(".");
}

/**
 * An IPv6 client as the /64 it is in (`2001:db8:0:7::/64`); any other address as it is. A home line, a phone or a
 * rented server is given a whole /64 and may take any of its 2^64 addresses for each connection: counted per exact
 * address, its sign-in failures would never add up to a limit, so one machine could guess a password unlimited.
 */
function countedAs(address: string): string {
  if (isIP(address) !== 6) return address;
  const network = ipv6Groups(address)
    .slice(0, 4)
    .map((group) => group.toString(16))
    .join(":");
  return `${new URL(`http://[${network}::]/`).hostname.slice(1, -1)}/64`;
}

/**
 * The client a request came from, as sign-in throttling counts it: an IPv6 client as its /64 (`countedAs`). Each
 * proxy appends the address it was reached from to X-Forwarded-For, so reading from the right, past our own trusted
 * proxies, the first other address is the one the outermost of them saw: everything to its left the client may have
 * written itself. From a peer that is not a trusted proxy the header is ignored, since anyone can send it. A hop that
 * is not an address stops the walk at the proxy that wrote it.
 */
export function clientAddressOf(peer: string, forwardedFor: string | undefined, proxies: BlockList): string {
  return countedAs(forwardedClientOf(peer, forwardedFor, proxies));
}

/** The client's whole address, for the walk past trusted proxies: a proxy may be trusted by its exact address. */
function forwardedClientOf(peer: string, forwardedFor: string | undefined, proxies: BlockList): string {
  let client = canonical(peer);
  if (!forwardedFor || !isIP(client) || !isTrusted(client, proxies)) return client;
  const hops = forwardedFor.split(",").map((hop) => canonical(addressOnly(hop.trim())));
  for (const hop of hops.reverse()) {
    if (!isIP(hop)) return client;
    client = hop;
    if (!isTrusted(hop, proxies)) return client;
  }
  return client; // every hop is a trusted proxy: the request began at the first of them
}
