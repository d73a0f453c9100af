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

/** IPv4 clients of a dual-stack socket arrive as `::ffff:1.2.3.4`: one client, one spelling. */
const canonical = (address: string) => (/^::ffff:[\d.]+$/i.test(address) ? address.slice(7) : address);

/**
 * The address of the client a request came from. Each proxy appends the address it was reached from to
 * X-Forwarded-For, so reading from the right, past our own trusted proxies, the first other address is the one
 * the outermost of them saw: everything to its left the client may have written itself. From a peer that is not
 * a trusted proxy the header is ignored, since anyone can send it. A hop that is not an address stops the walk at
 * the proxy that wrote it.
 */
export function clientAddressOf(peer: string, forwardedFor: string | undefined, proxies: BlockList): string {
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
