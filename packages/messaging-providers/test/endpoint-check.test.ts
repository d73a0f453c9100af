import type { LookupAddress } from "node:dns";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkedLookup, endpointFetch, type Resolve, refusedWhenConnecting } from "../src/index.ts";
import { countingPort, fakeProvider } from "./fake-http.ts";

// Calls to addresses someone else chose connect only where the name resolves when connecting, and only to
// addresses the policy allows. DNS is played by injected resolvers: no test here asks a real one.

const strict = { allowPrivateNetworks: false };
const local = { allowPrivateNetworks: true };
// A documentation address (TEST-NET-3): public to the policy. The lookup is only asked here, never connected to.
const publicAddress = "8.8.8.8";

/** A resolver with fixed answers per name, recording what it was asked. */
function fakeDns(answers: Record<string, string[]>) {
  const asked: string[] = [];
  const resolve: Resolve = async (hostname) => {
    asked.push(hostname);
    const addresses = answers[hostname];
    if (!addresses) throw Object.assign(new Error(`no such name ${hostname}`), { code: "ENOTFOUND" });
    return addresses.map((address) => ({ address, family: address.includes(":") ? 6 : 4 }));
  };
  return { resolve, asked };
}

type Looked = { error: NodeJS.ErrnoException | null; address: string | LookupAddress[]; family?: number };
const look = (
  lookup: ReturnType<typeof checkedLookup>,
  hostname: string,
  options: { all?: boolean; family?: number },
) =>
  new Promise<Looked>((done) =>
    lookup(hostname, options, (error, address, family) => done({ error, address, family })),
  );

describe("the lookup a connection to an endpoint uses", () => {
  it("hands the socket exactly the addresses it resolved and checked", async () => {
    const dns = fakeDns({ "hooks.tenant.test": [publicAddress, "2606:4700:4700::1111"] });
    const lookup = checkedLookup(strict, dns.resolve);
    expect(await look(lookup, "hooks.tenant.test", { all: true })).toEqual({
      error: null,
      address: [
        { address: publicAddress, family: 4 },
        { address: "2606:4700:4700::1111", family: 6 },
      ],
      family: undefined,
    });
    expect(await look(lookup, "hooks.tenant.test", {})).toEqual({ error: null, address: publicAddress, family: 4 });
    expect(await look(lookup, "hooks.tenant.test", { family: 6 })).toEqual({
      error: null,
      address: "2606:4700:4700::1111",
      family: 6,
    });
    expect(dns.asked).toEqual(["hooks.tenant.test", "hooks.tenant.test", "hooks.tenant.test"]);
  });

  it("refuses a name with any private address under the strict policy, however the address is written", async () => {
    for (const addresses of [
      ["127.0.0.1"],
      [publicAddress, "10.0.0.5"],
      ["169.254.169.254"],
      ["::ffff:127.0.0.1"],
      ["64:ff9b::a9fe:a9fe"],
    ]) {
      const lookup = checkedLookup(strict, fakeDns({ "hooks.tenant.test": addresses }).resolve);
      const { error } = await look(lookup, "hooks.tenant.test", { all: true });
      expect(error).toMatchObject({
        code: "EPRIVATEADDRESS",
        message: "hooks.tenant.test resolves to a private address",
      });
    }
  });

  it("passes a resolver's failure on, and allows private addresses where the policy does", async () => {
    const dns = fakeDns({ "receiver.dev.test": ["127.0.0.1"] });
    expect((await look(checkedLookup(strict, dns.resolve), "gone.tenant.test", {})).error).toMatchObject({
      code: "ENOTFOUND",
    });
    expect(await look(checkedLookup(local, dns.resolve), "receiver.dev.test", {})).toEqual({
      error: null,
      address: "127.0.0.1",
      family: 4,
    });
  });
});

describe("a POST to an endpoint", () => {
  let receiver: Awaited<ReturnType<typeof fakeProvider>>;
  let nobody: Awaited<ReturnType<typeof countingPort>>;
  beforeAll(async () => {
    receiver = await fakeProvider(() => ({ status: 202 }));
    nobody = await countingPort();
  });
  afterAll(async () => {
    await receiver.close();
    await nobody.close();
  });
  const post = () => ({ method: "POST", body: "{}", redirect: "manual", signal: AbortSignal.timeout(5_000) }) as const;

  it("connects to the address the name resolved to when connecting, and names the host it asked for", async () => {
    const { port } = new URL(receiver.url);
    const dns = fakeDns({ "receiver.dev.test": ["127.0.0.1"] });
    const response = await endpointFetch(`http://receiver.dev.test:${port}/hooks`, post(), local, dns.resolve);
    await response.body?.cancel();
    expect(response.status).toBe(202);
    expect(receiver.requests.at(-1)!.headers.host).toBe(`receiver.dev.test:${port}`);
    expect(dns.asked).toEqual(["receiver.dev.test"]);
  });

  it("never connects when the name answers a private address at connect time under the strict policy", async () => {
    const dns = fakeDns({ "hooks.rebind.test": ["127.0.0.1"] });
    const failure = await endpointFetch(
      `https://hooks.rebind.test:${nobody.port}/hooks`,
      post(),
      strict,
      dns.resolve,
    ).then(
      () => null,
      (e: unknown) => e,
    );
    expect(refusedWhenConnecting(failure)).toBe("resolves to a private address");
    expect(refusedWhenConnecting(new TypeError("fetch failed", { cause: { code: "ECONNREFUSED" } }))).toBeNull();
    expect(dns.asked).toEqual(["hooks.rebind.test"]);
    expect(nobody.connections()).toBe(0);
  });
});
