import type { PushMessage } from "@regulars/messaging";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fcmProvider } from "../src/index.ts";
import { type Answer, fakeProvider } from "./fake-http.ts";

let fcm: Awaited<ReturnType<typeof fakeProvider>>;
// What the push API answers, by device token.
const answers: Record<string, Answer> = {
  "token-500": { status: 500, body: { error: { status: "INTERNAL" } } },
  "token-400": { status: 400, body: { error: { status: "INVALID_ARGUMENT" } } },
  "token-removed": { status: 404, body: { error: { status: "NOT_FOUND", details: [{ errorCode: "UNREGISTERED" }] } } },
  "token-slow": "hang",
};

beforeAll(async () => {
  fcm = await fakeProvider((request) => {
    const token = (JSON.parse(request.body.toString()) as { message: { token: string } }).message.token;
    return answers[token] ?? { status: 200, body: { name: `projects/burgerbros/messages/0:${token}` } };
  });
});
afterAll(() => fcm.close());

const push = (token: string, platform: "ios" | "android" | "web" = "android"): PushMessage => ({
  id: `msg_${crypto.randomUUID().slice(0, 8)}`,
  tenantId: "ten_1",
  customerId: "cus_1",
  channel: "push",
  to: { platform, token },
  title: "Only 20 points to gold",
  body: "Order today and reach gold",
  url: "burgerbros://tiers",
  data: { campaign: "cmp_1" },
});

// A generous timeout where an answer is expected (the machine may be busy), a short one where none comes.
const provider = (accessToken?: () => Promise<string>, timeoutMs = 5_000) =>
  fcmProvider(
    {
      kind: "fcm",
      url: `${fcm.url}/v1/projects/burgerbros/messages:send`,
      accessToken: "static-token",
      timeoutMs,
    },
    accessToken ? { accessToken } : {},
  );

describe("FCM-style push", () => {
  it("posts the notification and data with a bearer token and reads the message name", async () => {
    const message = push("device-1");
    expect(await provider().send(message)).toEqual({
      ok: true,
      providerMessageId: "projects/burgerbros/messages/0:device-1",
    });
    const request = fcm.requests.at(-1)!;
    expect(request.path).toBe("/v1/projects/burgerbros/messages:send");
    expect(request.headers.authorization).toBe("Bearer static-token");
    expect(JSON.parse(request.body.toString())).toEqual({
      message: {
        token: "device-1",
        notification: { title: "Only 20 points to gold", body: "Order today and reach gold" },
        data: { campaign: "cmp_1", message_id: message.id, url: "burgerbros://tiers" },
      },
    });
  });

  it("asks for a fresh access token for each send when given a way to get one", async () => {
    let issued = 0;
    const rotating = provider(async () => `oauth-${++issued}`);
    await rotating.send(push("device-1"));
    await rotating.send(push("device-2", "ios"));
    expect(fcm.requests.slice(-2).map((r) => r.headers.authorization)).toEqual(["Bearer oauth-1", "Bearer oauth-2"]);
  });

  it("retries 500, not 400, and reports an unregistered device as gone", async () => {
    expect(await provider().send(push("token-500"))).toMatchObject({
      ok: false,
      failure: { code: "provider_error", retryable: true, status: 500 },
    });
    expect(await provider().send(push("token-400"))).toMatchObject({
      ok: false,
      failure: { code: "rejected", retryable: false, status: 400 },
    });
    const gone = await provider().send(push("token-removed"));
    expect(gone).toMatchObject({ ok: false, failure: { code: "recipient_gone", retryable: false, status: 404 } });
    // The status and a fixed description: never what the service answered.
    expect(gone.ok || gone.failure.message).toBe(`404 from ${new URL(fcm.url).host}: the recipient is gone`);
  });

  it("gives up on an API that does not answer in time, as retryable", async () => {
    expect(await provider(undefined, 300).send(push("token-slow"))).toMatchObject({
      ok: false,
      failure: { code: "timeout", retryable: true },
    });
  });

  it("leaves browser subscriptions to web push", async () => {
    expect(await provider().send(push('{"endpoint":"https://push.example/1"}', "web"))).toMatchObject({
      ok: false,
      failure: { code: "unsupported", retryable: false },
    });
  });
});
