import type { SmsMessage } from "@regulars/messaging";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { httpSmsProvider } from "../src/index.ts";
import { type Answer, closedPort, fakeProvider, type ReceivedRequest } from "./fake-http.ts";

const apiKey = "sms-gateway-key-that-stays-secret";
let gateway: Awaited<ReturnType<typeof fakeProvider>>;
// What the gateway answers, by the number the SMS goes to.
const answers: Record<string, Answer> = {
  "+48600000500": { status: 500, body: { error: "internal" } },
  "+48600000503": { status: 503, body: "busy", headers: { "retry-after": "120" } },
  "+48600000400": { status: 400, body: { error: "invalid destination +48600000400" } },
  "+48600000401": { status: 401, body: { error: `bad key ${apiKey}` } },
  "+48600000429": { status: 429, body: {}, headers: { "retry-after": "30" } },
  "+48600000999": "hang",
};

beforeAll(async () => {
  gateway = await fakeProvider((request: ReceivedRequest) => {
    const to = (JSON.parse(request.body.toString()) as { destination: string }).destination;
    return answers[to] ?? { status: 202, body: { messages: [{ id: `gw-${to}` }] } };
  });
});
afterAll(() => gateway.close());

const provider = (overrides: Record<string, unknown> = {}) =>
  httpSmsProvider({
    kind: "http-sms",
    url: `${gateway.url}/v2/sms`,
    auth: { header: "X-Api-Key", value: apiKey },
    from: "BurgerBros",
    fields: { to: "destination", body: "message" },
    extra: { route: "marketing" },
    responseIdPath: "messages.0.id",
    // Generous where an answer is expected (the machine may be busy); the test of a silent gateway shortens it.
    timeoutMs: 5_000,
    ...overrides,
  });

const sms = (to: string): SmsMessage => ({
  id: `msg_${crypto.randomUUID().slice(0, 8)}`,
  tenantId: "ten_1",
  customerId: "cus_1",
  channel: "sms",
  to,
  body: "Cześć Ola! Only 20 points to gold 🍔",
});

describe("HTTP SMS gateway", () => {
  it("posts the configured JSON with the auth header and our id, and reads the gateway's id", async () => {
    const message = sms("+48600100200");
    expect(await provider().send(message)).toEqual({ ok: true, providerMessageId: "gw-+48600100200" });
    const request = gateway.requests.at(-1)!;
    expect(request.method).toBe("POST");
    expect(request.path).toBe("/v2/sms");
    expect(request.headers["x-api-key"]).toBe(apiKey);
    expect(request.headers["content-type"]).toBe("application/json");
    expect(request.headers["idempotency-key"]).toBe(message.id);
    expect(JSON.parse(request.body.toString())).toEqual({
      route: "marketing",
      destination: "+48600100200",
      message: "Cześć Ola! Only 20 points to gold 🍔",
      reference: message.id,
      from: "BurgerBros",
    });
  });

  it("counts a 2xx without an id as sent under our id, since a retry would send a second SMS", async () => {
    const message = sms("+48600100201");
    expect(await provider({ responseIdPath: "data.sid" }).send(message)).toEqual({
      ok: true,
      providerMessageId: message.id,
    });
  });

  it("retries 5xx and 429, honouring Retry-After", async () => {
    expect(await provider().send(sms("+48600000500"))).toMatchObject({
      ok: false,
      failure: { code: "provider_error", retryable: true, status: 500 },
    });
    expect(await provider().send(sms("+48600000503"))).toMatchObject({
      ok: false,
      failure: { code: "provider_error", retryable: true, retryAfterMs: 120_000 },
    });
    expect(await provider().send(sms("+48600000429"))).toMatchObject({
      ok: false,
      failure: { code: "rate_limited", retryable: true, retryAfterMs: 30_000 },
    });
  });

  it("does not retry a 400, and reports a 401 as a configuration problem without the key", async () => {
    const refused = await provider().send(sms("+48600000400"));
    expect(refused).toMatchObject({ ok: false, failure: { code: "rejected", retryable: false, status: 400 } });
    // The status and a fixed description: the gateway's answer (here quoting the number) is not repeated.
    expect(refused.ok || refused.failure.message).toBe(
      `400 from ${new URL(gateway.url).host}: the request was refused`,
    );
    const unauthorised = await provider().send(sms("+48600000401"));
    expect(unauthorised).toMatchObject({
      ok: false,
      failure: { code: "misconfigured", retryable: false, status: 401 },
    });
    expect(JSON.stringify(unauthorised)).not.toContain(apiKey);
  });

  it("gives up on a gateway that does not answer in time, as retryable", async () => {
    const started = Date.now();
    expect(await provider({ timeoutMs: 300 }).send(sms("+48600000999"))).toMatchObject({
      ok: false,
      failure: { code: "timeout", retryable: true },
    });
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("retries when the gateway cannot be reached", async () => {
    const down = provider({ url: `http://127.0.0.1:${await closedPort()}/v2/sms` });
    expect(await down.send(sms("+48600100200"))).toMatchObject({
      ok: false,
      failure: { code: "unreachable", retryable: true },
    });
  });

  it("refuses a number that is not E.164 before calling the gateway", async () => {
    const before = gateway.requests.length;
    expect(await provider().send(sms("600100200"))).toMatchObject({ ok: false, failure: { code: "unsupported" } });
    expect(gateway.requests.length).toBe(before);
  });
});
