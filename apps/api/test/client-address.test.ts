import { describe, expect, it } from "vitest";
import { clientAddressOf, trustedProxyList } from "../src/client-address.ts";

// Whose address sign-in throttling counts: the pure part, without a server.

const proxies = trustedProxyList(["10.0.0.0/8", "127.0.0.1", "2001:db8::/32"]);

describe("the client address", () => {
  it("is the socket's peer when the peer is not a trusted proxy, whatever X-Forwarded-For says", () => {
    expect(clientAddressOf("198.51.100.9", "203.0.113.7", proxies)).toBe("198.51.100.9");
    expect(clientAddressOf("10.1.2.3", "203.0.113.7", trustedProxyList([]))).toBe("10.1.2.3");
  });

  it("behind trusted proxies, is the right-most forwarded address that is not one of them", () => {
    expect(clientAddressOf("10.0.0.5", "203.0.113.7", proxies)).toBe("203.0.113.7");
    // The client wrote the first entry itself; the proxies appended the rest.
    expect(clientAddressOf("10.0.0.5", "192.0.2.1, 203.0.113.7, 10.0.0.9", proxies)).toBe("203.0.113.7");
    expect(clientAddressOf("::ffff:127.0.0.1", "2001:db8::7, 2001:db9::1", proxies)).toBe("2001:db9::/64");
  });

  it("reads IPv4 on a dual-stack socket, and a hop written with its port, as the plain address", () => {
    expect(clientAddressOf("::ffff:198.51.100.9", undefined, proxies)).toBe("198.51.100.9");
    expect(clientAddressOf("10.0.0.5", "203.0.113.7:51234", proxies)).toBe("203.0.113.7");
    expect(clientAddressOf("10.0.0.5", "[2001:db9::1]:443", proxies)).toBe("2001:db9::/64");
    expect(clientAddressOf("::ffff:c633:6409", undefined, proxies)).toBe("198.51.100.9");
    expect(clientAddressOf("10.0.0.5", "[::ffff:203.0.113.7]:443", proxies)).toBe("203.0.113.7");
  });

  it("is an IPv6 client's /64, however the address is written: the client may take any address in it", () => {
    const outside = trustedProxyList([]);
    for (const spelling of [
      "2001:db9::1",
      "2001:db9:0:0:ffff:ffff:ffff:fffe",
      "2001:0DB9:0000:0000:0000:0000:0000:0006",
      "2001:db9::1%eth0",
      "2001:db9::192.0.2.1",
    ])
      expect(clientAddressOf(spelling, undefined, outside)).toBe("2001:db9::/64");
    expect(clientAddressOf("2001:db9:a:b:c:d:e:f", undefined, outside)).toBe("2001:db9:a:b::/64");
    expect(clientAddressOf("2001:db9:a:c::1", undefined, outside)).toBe("2001:db9:a:c::/64");
    expect(clientAddressOf("fe80::1%en0", undefined, outside)).toBe("fe80::/64");
    // Behind proxies, with a port, and the proxies themselves still trusted by their exact address.
    expect(clientAddressOf("10.0.0.5", "[2001:db9:7::42]:51234", proxies)).toBe("2001:db9:7::/64");
    const oneProxy = trustedProxyList(["2001:db9:1::5"]);
    expect(clientAddressOf("2001:db9:1::5", "203.0.113.7", oneProxy)).toBe("203.0.113.7");
    expect(clientAddressOf("2001:db9:1::6", "203.0.113.7", oneProxy)).toBe("2001:db9:1::/64");
  });

  it("stops at a hop that is not an address, at the proxy that wrote it", () => {
    expect(clientAddressOf("10.0.0.5", "203.0.113.7, unknown", proxies)).toBe("10.0.0.5");
    expect(clientAddressOf("10.0.0.5", "", proxies)).toBe("10.0.0.5");
  });

  it("is the first proxy's when every hop is a trusted proxy", () => {
    expect(clientAddressOf("10.0.0.5", "10.0.0.7, 10.0.0.6", proxies)).toBe("10.0.0.7");
  });
});
