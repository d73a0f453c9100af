import { createECDH, randomBytes } from "node:crypto";
import type { PushMessage } from "@regulars/messaging";
import { decrypt } from "http_ece";
import { importJWK, jwtVerify } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import webpush from "web-push";
import { type Resolve, webPushProvider } from "../src/index.ts";
import { countingPort, fakeProvider } from "./fake-http.ts";

let pushService: Awaited<ReturnType<typeof fakeProvider>>;
const vapid = webpush.generateVAPIDKeys();

beforeAll(async () => {
  // A push service (the browser vendor's) in miniature: 201 with the message's location, 410 for an
  // expired subscription, 500 when it is in trouble.
  pushService = await fakeProvider((request) => {
    if (request.path.endsWith("/expired")) return { status: 410 };
    if (request.path.endsWith("/broken")) return { status: 500 };
    // An internal service's reply, as an endpoint pointing into our network would get back.
    if (request.path.endsWith("/admin")) return { status: 400, body: { users: [{ email: "jane.doe@example.com" }] } };
    if (request.path.endsWith("/slow")) return "hang";
    return { status: 201, headers: { location: `${request.path}/messages/m-1` } };
  });
});
afterAll(() => pushService.close());

/** A browser's subscription: its own key pair and auth secret, as `PushManager.subscribe` makes them. */
function browser(path = `/push/${randomBytes(6).toString("hex")}`) {
  const keys = createECDH("prime256v1");
  keys.generateKeys();
  const auth = randomBytes(16);
  const subscription = {
    endpoint: `${pushService.url}${path}`,
    keys: { p256dh: keys.getPublicKey().toString("base64url"), auth: auth.toString("base64url") },
  };
  return { keys, auth, subscription };
}

// The fake push service listens on localhost over http, as WEBHOOK_ALLOW_PRIVATE_URLS lets development do.
const local = { allowPrivateNetworks: true };
// A generous timeout where an answer is expected (the machine may be busy), a short one where none comes.
const providerWaiting = (timeoutMs: number, urlPolicy = local, resolve?: Resolve) =>
  webPushProvider(
    {
      kind: "web-push",
      vapid: { subject: "mailto:push@burgerbros.example", publicKey: vapid.publicKey, privateKey: vapid.privateKey },
      ttlSeconds: 3_600,
      urgency: "high",
      timeoutMs,
    },
    resolve ? { urlPolicy, resolve } : { urlPolicy },
  );
const provider = providerWaiting(5_000);

const push = (token: string, platform: "web" | "ios" = "web"): PushMessage => ({
  id: `msg_${crypto.randomUUID().slice(0, 8)}`,
  tenantId: "ten_1",
  customerId: "cus_1",
  channel: "push",
  to: { platform, token },
  title: "Complete your profile",
  body: "Add your birthday and get a coupon 🎂",
  url: "https://go.burgerbros.example/l/abc.def",
});

describe("web push with VAPID", () => {
  it("signs the request with the VAPID key and delivers the encrypted payload", async () => {
    const device = browser();
    const message = push(JSON.stringify(device.subscription));
    const result = await provider.send(message);
    expect(result).toEqual({
      ok: true,
      providerMessageId: `${new URL(device.subscription.endpoint).pathname}/messages/m-1`,
    });

    const request = pushService.requests.at(-1)!;
    expect(request.method).toBe("POST");
    expect(request.headers.ttl).toBe("3600");
    expect(request.headers.urgency).toBe("high");
    expect(request.headers["content-encoding"]).toBe("aes128gcm");

    // Authorization: vapid t=<JWT signed with the private key>, k=<the public key>
    const authorization = /^vapid t=([^,]+), k=(.+)$/.exec(String(request.headers.authorization));
    expect(authorization?.[2]).toBe(vapid.publicKey);
    const point = Buffer.from(vapid.publicKey, "base64url");
    const key = await importJWK(
      {
        kty: "EC",
        crv: "P-256",
        x: point.subarray(1, 33).toString("base64url"),
        y: point.subarray(33).toString("base64url"),
      },
      "ES256",
    );
    const { payload, protectedHeader } = await jwtVerify(authorization![1]!, key, { audience: pushService.url });
    expect(protectedHeader.alg).toBe("ES256");
    expect(payload.sub).toBe("mailto:push@burgerbros.example");
    expect(payload.exp! * 1000).toBeGreaterThan(Date.now());

    // Only the browser holding the subscription's private key can read it.
    expect(request.body.includes(Buffer.from("Complete your profile"))).toBe(false);
    const plain = decrypt(request.body, { version: "aes128gcm", privateKey: device.keys, authSecret: device.auth });
    expect(JSON.parse(plain.toString("utf8"))).toEqual({
      id: message.id,
      title: "Complete your profile",
      body: "Add your birthday and get a coupon 🎂",
      url: "https://go.burgerbros.example/l/abc.def",
    });
  });

  it("reports an expired subscription as gone, a 500 as retryable, and no answer as a timeout", async () => {
    expect(await provider.send(push(JSON.stringify(browser("/push/expired").subscription)))).toMatchObject({
      ok: false,
      failure: { code: "recipient_gone", retryable: false, status: 410 },
    });
    expect(await provider.send(push(JSON.stringify(browser("/push/broken").subscription)))).toMatchObject({
      ok: false,
      failure: { code: "provider_error", retryable: true, status: 500 },
    });
    expect(await providerWaiting(300).send(push(JSON.stringify(browser("/push/slow").subscription)))).toMatchObject({
      ok: false,
      failure: { code: "timeout", retryable: true },
    });
  });

  it("refuses a device that is not a browser subscription without calling anyone", async () => {
    const before = pushService.requests.length;
    expect(await provider.send(push("not json"))).toMatchObject({
      ok: false,
      failure: { code: "unsupported", retryable: false },
    });
    expect(await provider.send(push("fcm-token", "ios"))).toMatchObject({
      ok: false,
      failure: { code: "unsupported" },
    });
    const badKeys = { endpoint: `${pushService.url}/push/x`, keys: { p256dh: "AAAA", auth: "AAAA" } };
    expect(await provider.send(push(JSON.stringify(badKeys)))).toMatchObject({
      ok: false,
      failure: { code: "rejected", retryable: false },
    });
    expect(pushService.requests.length).toBe(before);
  });

  it("posts only to https on public hosts by default: a subscription cannot point it into our network", async () => {
    const strict = providerWaiting(5_000, { allowPrivateNetworks: false });
    const { keys } = browser().subscription;
    const before = pushService.requests.length;
    for (const endpoint of [
      `${pushService.url}/admin`,
      `https://${new URL(pushService.url).host}/admin`,
      "https://169.254.169.254/latest/meta-data/",
      "https://[::1]/admin",
      "https://localhost/admin",
      "https://db.internal/admin",
    ])
      expect(await strict.send(push(JSON.stringify({ endpoint, keys })))).toMatchObject({
        ok: false,
        failure: { code: "unsupported", retryable: false, message: expect.stringMatching(/^the push endpoint /) },
      });
    expect(pushService.requests.length).toBe(before);
    // A name is resolved before connecting; one that does not resolve now may later.
    const unresolved = { endpoint: "https://push.regulars-test.invalid/x", keys };
    expect(await strict.send(push(JSON.stringify(unresolved)))).toMatchObject({
      ok: false,
      failure: { code: "unreachable", retryable: true, message: expect.stringMatching(/cannot be resolved/) },
    });
  });

  it("connects where the endpoint's name resolves when sending, and refuses it if that is private (DNS rebinding)", async () => {
    const { keys } = browser().subscription;
    // DNS played by the test: the first answer (the check before sending) public, every later one this machine.
    const asked: string[] = [];
    const rebinding: Resolve = async (hostname) => {
      asked.push(hostname);
      return [{ address: asked.length === 1 ? "8.8.8.8" : "127.0.0.1", family: 4 }];
    };
    const internal = await countingPort();
    try {
      const endpoint = `https://push.rebind.test:${internal.port}/admin`;
      const strict = providerWaiting(5_000, { allowPrivateNetworks: false }, rebinding);
      expect(await strict.send(push(JSON.stringify({ endpoint, keys })))).toMatchObject({
        ok: false,
        failure: {
          code: "unsupported",
          retryable: false,
          message: `push.rebind.test:${internal.port} resolves to a private address`,
        },
      });
      expect(asked).toEqual(["push.rebind.test", "push.rebind.test"]);
      expect(internal.connections()).toBe(0);
    } finally {
      await internal.close();
    }

    // Where private networks are allowed, the connection goes to what the name resolves to, under its name.
    const device = browser();
    const { port } = new URL(pushService.url);
    const named = { ...device.subscription, endpoint: `http://push.dev.test:${port}/push/named` };
    const toLocal = providerWaiting(5_000, local, async () => [{ address: "127.0.0.1", family: 4 }]);
    expect(await toLocal.send(push(JSON.stringify(named)))).toMatchObject({ ok: true });
    expect(pushService.requests.at(-1)!.headers.host).toBe(`push.dev.test:${port}`);
  });

  it("says the status of a refusal, never what the endpoint answered", async () => {
    const result = await provider.send(push(JSON.stringify(browser("/push/admin").subscription)));
    expect(result).toMatchObject({ ok: false, failure: { code: "rejected", status: 400 } });
    expect(result.ok || result.failure.message).toBe(
      `400 from ${new URL(pushService.url).host}: the request was refused`,
    );
  });

  it("refuses a configuration without a proper VAPID subject", () => {
    expect(() =>
      webPushProvider({
        kind: "web-push",
        vapid: { subject: "push@example.com", publicKey: vapid.publicKey, privateKey: vapid.privateKey },
      }),
    ).toThrow(/mailto/);
  });
});
