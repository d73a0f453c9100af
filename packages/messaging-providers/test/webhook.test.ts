import type { EmailMessage, OutgoingMessage, PushMessage, SmsMessage } from "@regulars/messaging";
import { newWebhookSecret } from "@regulars/webhooks";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createProvider, memorySink, redactedConfig, webhookProvider } from "../src/index.ts";
import { type Answer, closedPort, fakeProvider, type ReceivedRequest } from "./fake-http.ts";

// The generic provider: every channel's message as a Standard Webhooks POST to the brand's own service. The receiver
// here is a real HTTP server that checks the signature with the `standardwebhooks` library, as a receiver would.

const secret = newWebhookSecret();
let receiver: Awaited<ReturnType<typeof fakeProvider>>;
// What the receiver answers, by the message id's suffix.
const answers: Record<string, Answer> = {
  "-500": { status: 500, body: { error: "internal" } },
  "-401": { status: 401, body: { error: `bad signature, we expected ${secret}` } },
  "-422": { status: 422, body: { error: "unknown channel" } },
  "-429": { status: 429, body: {}, headers: { "retry-after": "30" } },
  "-noid": { status: 204 },
  "-hang": "hang",
};

beforeAll(async () => {
  receiver = await fakeProvider((request: ReceivedRequest) => {
    const id = String(request.headers["webhook-id"]);
    const answer = Object.entries(answers).find(([suffix]) => id.endsWith(suffix));
    return answer ? answer[1] : { status: 202, body: { result: { id: `hub-${id}` } } };
  });
});
afterAll(() => receiver.close());

const at = new Date(Date.now() - 1_000);
const provider = (overrides: Record<string, unknown> = {}) =>
  webhookProvider(
    { kind: "webhook", url: `${receiver.url}/hooks/messages`, secret, responseIdPath: "result.id", ...overrides },
    () => at,
  );
let n = 0;
const envelope = (suffix = "") => ({ id: `msg_${++n}${suffix}`, tenantId: "ten_1", customerId: "cus_1" });
const sms = (suffix = ""): SmsMessage => ({ ...envelope(suffix), channel: "sms", to: "+48600100200", body: "Hi 🍔" });
const email = (): EmailMessage => ({
  ...envelope(),
  channel: "email",
  to: "ola@example.com",
  subject: "Only 20 points to gold",
  html: "<p>Hi</p>",
});
const push = (): PushMessage => ({
  ...envelope(),
  channel: "push",
  to: { platform: "android", token: "device-token" },
  title: "Fries?",
  body: "Half price today",
  data: { screen: "coupons" },
});

const lastRequest = () => receiver.requests.at(-1)!;
/** Verified as the receiver verifies: the library throws on a wrong secret, a changed body or an old timestamp. */
const verified = (request: ReceivedRequest, withSecret = secret) =>
  new Webhook(withSecret).verify(request.body.toString(), {
    "webhook-id": String(request.headers["webhook-id"]),
    "webhook-timestamp": String(request.headers["webhook-timestamp"]),
    "webhook-signature": String(request.headers["webhook-signature"]),
  });

describe("webhook provider", () => {
  it.each([
    ["sms", sms],
    ["email", email],
    ["push", push],
  ] as const)("posts a %s message, signed, with our id, and reads the receiver's id", async (_, make) => {
    const message: OutgoingMessage = make();
    expect(await provider().send(message)).toEqual({ ok: true, providerMessageId: `hub-${message.id}` });
    const request = lastRequest();
    expect(request).toMatchObject({ method: "POST", path: "/hooks/messages" });
    expect(request.headers).toMatchObject({
      "content-type": "application/json",
      "idempotency-key": message.id,
      "webhook-id": message.id,
      "webhook-timestamp": String(Math.floor(at.getTime() / 1000)),
    });
    expect(verified(request)).toEqual({ type: "message.send", timestamp: at.toISOString(), data: message });
  });

  it("signs so that another secret, or a changed body, does not verify; a retry keeps the message's id", async () => {
    const message = sms();
    await provider().send(message);
    const first = lastRequest();
    expect(() => verified(first, newWebhookSecret())).toThrow();
    expect(() => verified({ ...first, body: Buffer.from(first.body.toString().replace("Hi", "Yo")) })).toThrow();
    await provider().send(message);
    expect(lastRequest().headers["webhook-id"]).toBe(first.headers["webhook-id"]);
  });

  it("sorts failures for the retry policy and never repeats the secret", async () => {
    expect(await provider().send(sms("-500"))).toMatchObject({
      ok: false,
      failure: { code: "provider_error", retryable: true },
    });
    expect(await provider().send(sms("-429"))).toMatchObject({
      ok: false,
      failure: { code: "rate_limited", retryable: true, retryAfterMs: 30_000 },
    });
    expect(await provider().send(sms("-422"))).toMatchObject({ ok: false, failure: { code: "rejected" } });
    const refused = await provider().send(sms("-401"));
    expect(refused).toMatchObject({ ok: false, failure: { code: "misconfigured", retryable: false } });
    expect(JSON.stringify(refused)).not.toContain(secret);
    expect(refused.ok || refused.failure.message).toMatch(/^401 from .+: our credentials were refused$/);
    expect(await provider({ timeoutMs: 200 }).send(sms("-hang"))).toMatchObject({
      ok: false,
      failure: { code: "timeout", retryable: true },
    });
    const closed = webhookProvider({ kind: "webhook", url: `http://127.0.0.1:${await closedPort()}/`, secret });
    expect(await closed.send(sms())).toMatchObject({ ok: false, failure: { code: "unreachable" } });
  });

  it("counts a 2xx without an id as sent under our id, since a retry would message the customer twice", async () => {
    const message = sms("-noid");
    expect(await provider().send(message)).toEqual({ ok: true, providerMessageId: message.id });
  });

  it("refuses an invalid message before it reaches the receiver", async () => {
    const before = receiver.requests.length;
    expect(await provider().send({ ...sms(), to: "0600" } as OutgoingMessage)).toMatchObject({
      ok: false,
      failure: { code: "unsupported", retryable: false },
    });
    expect(receiver.requests.length).toBe(before);
  });

  it("is chosen by its settings, says which setting is wrong, and keeps its secret out of logs", () => {
    const config = { kind: "webhook" as const, url: "https://hub.brand.example/messages", secret };
    expect(createProvider(config, { devSink: memorySink() })).toMatchObject({
      name: "webhook",
      channels: ["email", "sms", "push"],
    });
    expect(redactedConfig({ ...config, responseIdPath: "id", timeoutMs: 10_000 })).toEqual({
      kind: "webhook",
      url: "https://hub.brand.example/messages",
      secret: "[redacted]",
      responseIdPath: "id",
      timeoutMs: 10_000,
    });
    expect(() => createProvider({ ...config, secret: "hunter2" }, { devSink: memorySink() })).toThrow(
      /secret.*whsec_/s,
    );
    expect(() =>
      createProvider({ ...config, url: "ftp://hub.brand.example" } as never, { devSink: memorySink() }),
    ).toThrow(/url/);
  });
});
