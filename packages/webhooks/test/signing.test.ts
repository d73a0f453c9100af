import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import {
  endpointUrlProblem,
  envelopeOf,
  isPrivateHost,
  isWebhookSecret,
  newWebhookSecret,
  shouldDisable,
  signedHeaders,
} from "../src/index.ts";

describe("signatures", () => {
  it("verify with the standardwebhooks library as a receiver uses it, and with no other secret", () => {
    const secret = newWebhookSecret();
    expect(isWebhookSecret(secret)).toBe(true);
    const body = JSON.stringify(
      envelopeOf({
        type: "points.earned",
        id: "e1",
        tenantId: "ten_1",
        occurredAt: new Date().toISOString(),
        points: 5,
      }),
    );
    const headers = signedHeaders("whd_1", new Date(), body, [secret]);
    expect(new Webhook(secret).verify(body, { ...headers })).toMatchObject({
      type: "points.earned",
      data: { id: "e1", points: 5 },
    });
    expect(() => new Webhook(newWebhookSecret()).verify(body, { ...headers })).toThrow(/No matching signature/);
    expect(() => new Webhook(secret).verify(`${body} `, { ...headers })).toThrow(/No matching signature/);
  });

  it("sign with both secrets while a rotated one is still accepted", () => {
    const [old, current] = [newWebhookSecret(), newWebhookSecret()];
    const headers = signedHeaders("whd_2", new Date(), "{}", [current, old]);
    expect(headers["webhook-signature"].split(" ")).toHaveLength(2);
    for (const secret of [old, current]) expect(new Webhook(secret).verify("{}", { ...headers })).toEqual({});
  });

  it("leave the tenant out of the body", () => {
    const envelope = envelopeOf({
      type: "tier.changed",
      id: "e2",
      tenantId: "ten_1",
      occurredAt: "2024-01-01T10:00:00+01:00",
    });
    expect(envelope).toEqual({
      type: "tier.changed",
      timestamp: "2024-01-01T09:00:00.000Z",
      data: { type: "tier.changed", id: "e2", occurredAt: "2024-01-01T10:00:00+01:00" },
    });
  });
});

describe("endpoint URLs", () => {
  it("are https to public hosts in production", () => {
    expect(endpointUrlProblem("https://hooks.example.com/regulars")).toBeNull();
    expect(endpointUrlProblem("http://hooks.example.com/")).toMatch(/https/);
    for (const url of [
      "https://127.0.0.1/",
      "https://10.1.2.3/",
      "https://169.254.169.254/latest",
      "https://[::1]/",
      "https://localhost/",
      "https://db/",
      "https://192.168.0.1/",
      "https://[::ffff:127.0.0.1]/",
    ])
      expect(endpointUrlProblem(url), url).toMatch(/public host/);
    expect(endpointUrlProblem("https://user:pw@example.com/")).toMatch(/user or password/);
    expect(endpointUrlProblem("not a url")).toMatch(/not a URL/);
    expect(endpointUrlProblem("ftp://example.com/")).toMatch(/https/);
  });

  it("refuse private IPv4 carried inside IPv6, and local names however spelled", () => {
    for (const url of [
      "https://[64:ff9b::a9fe:a9fe]/latest", // NAT64 of the metadata address
      "https://[64:ff9b::169.254.169.254]/",
      "https://[64:ff9b:1::a00:1]/", // local-use NAT64
      "https://[::7f00:1]/", // IPv4-compatible ::127.0.0.1
      "https://[::127.0.0.1]/",
      "https://[::ffff:7f00:1]/", // IPv4-mapped, hex
      "https://[::ffff:0:7f00:1]/", // IPv4-translated
      "https://[2002:7f00:0001::]/", // 6to4 of 127.0.0.1
      "https://[2002:a9fe:a9fe::1]/",
      "https://[2001:0:4136:e378:8000:63bf:80ff:fffe]/", // Teredo, client 127.0.0.1
      "https://[fd12:3456::1]/",
      "https://[fe80::1]/",
      "https://[ff02::1]/",
      "https://localhost./",
      "https://LOCALHOST/",
      "https://foo.localhost/",
      "https://foo.localhost./",
      "https://db./",
    ])
      expect(endpointUrlProblem(url), url).toBe("must point at a public host, not a private network or this machine");
    for (const url of [
      "https://[2606:4700::1111]/",
      "https://[2001:4860:4860::8888]/",
      "https://[64:ff9b::808:808]/", // NAT64 of a public address
      "https://[2002:808:808::1]/",
      "https://hooks.example.com./regulars",
    ])
      expect(endpointUrlProblem(url), url).toBeNull();
  });

  it("refuse every IPv4 range the IANA special-purpose registry calls not globally reachable, and only those", () => {
    for (const address of [
      "0.0.0.0",
      "100.64.0.1",
      "192.0.0.1", // IETF protocol assignments
      "192.0.0.255",
      "192.0.2.10", // documentation
      "192.88.99.1", // 6to4 relay anycast
      "198.18.0.1", // benchmarking
      "198.19.255.254",
      "198.51.100.7",
      "203.0.113.9",
      "224.0.0.1", // multicast
      "240.0.0.1", // reserved
      "255.255.255.255",
    ]) {
      expect(endpointUrlProblem(`https://${address}/x`), address).toMatch(/public host/);
      expect(isPrivateHost(`::ffff:${address}`), address).toBe(true); // as a resolver may answer it
    }
    // Their neighbours are public.
    for (const address of ["192.0.1.1", "192.88.98.1", "198.17.255.254", "198.20.0.1", "203.0.114.1", "223.255.255.1"])
      expect(endpointUrlProblem(`https://${address}/x`), address).toBeNull();
  });

  it("refuse the IPv6 special-purpose ranges that are not globally reachable, and only those", () => {
    for (const address of [
      "100::1", // discard-only
      "2001:2::1", // benchmarking
      "2001:10::1", // ORCHID
      "2001:2f:ffff::1", // ORCHIDv2
      "2001:db8::10", // documentation
      "3fff:fff::1",
      "5f00::1", // SRv6 segment identifiers
    ]) {
      expect(endpointUrlProblem(`https://[${address}]/x`), address).toMatch(/public host/);
      expect(isPrivateHost(address), address).toBe(true);
    }
    // Their neighbours, and public resolvers' addresses, are public.
    for (const address of [
      "100:0:0:1::1",
      "2001:3::1",
      "2001:30::1",
      "2001:db9::1",
      "3fff:1000::1",
      "5f01::1",
      "2606:4700:4700::1111",
    ])
      expect(isPrivateHost(address), address).toBe(false);
  });

  it("check resolved addresses, as DNS spells them, with the same rules", () => {
    for (const address of ["::ffff:127.0.0.1", "::ffff:169.254.169.254", "64:ff9b::a9fe:a9fe", "fe80::1%eth0", "::"])
      expect(isPrivateHost(address), address).toBe(true);
    for (const address of ["2606:4700::1111", "::ffff:8.8.8.8", "93.184.215.14"])
      expect(isPrivateHost(address), address).toBe(false);
  });

  it("may be local http where private networks are allowed (development, tests)", () => {
    expect(endpointUrlProblem("http://127.0.0.1:8080/hook", { allowPrivateNetworks: true })).toBeNull();
  });
});

describe("disabling", () => {
  const now = new Date();
  const ago = (ms: number) => new Date(now.getTime() - ms);
  it("happens after a day of nothing but failures, and not on a few failures or a short streak", () => {
    expect(shouldDisable({ consecutiveFailures: 14, failingSince: ago(24 * 3_600_000) }, now)).toBe(true);
    expect(shouldDisable({ consecutiveFailures: 3, failingSince: ago(48 * 3_600_000) }, now)).toBe(false);
    expect(shouldDisable({ consecutiveFailures: 500, failingSince: ago(3_600_000) }, now)).toBe(false);
    expect(shouldDisable({ consecutiveFailures: 0, failingSince: null }, now)).toBe(false);
  });
});
