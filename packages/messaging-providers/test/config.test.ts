import { newWebhookSecret } from "@regulars/webhooks";
import { describe, expect, it } from "vitest";
import { createProvider, memorySink, ProviderConfig, redactedConfig } from "../src/index.ts";
import { fakeProvider } from "./fake-http.ts";

describe("provider configuration", () => {
  it("is checked with every field named", () => {
    const bad = ProviderConfig.safeParse({ kind: "http-sms", url: "not a url", auth: { value: "" } });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues.map((i) => i.path.join("."))).toEqual(["url", "auth.value"]);
    expect(ProviderConfig.safeParse({ kind: "carrier-pigeon" }).success).toBe(false);
  });

  it("fills defaults", () => {
    const config = ProviderConfig.parse({ kind: "http-sms", url: "https://sms.example/send" });
    expect(config).toMatchObject({
      fields: { to: "to", body: "text", from: "from", reference: "reference" },
      responseIdPath: "id",
      timeoutMs: 10_000,
    });
    expect(ProviderConfig.parse({ kind: "smtp", host: "mail.example", from: "a@b.example" })).toMatchObject({
      port: 587,
      secure: false,
      pool: true,
    });
  });

  it("can be shown without its secrets", () => {
    const configs = [
      { kind: "smtp", host: "mail.example", from: "a@b.example", auth: { user: "u", pass: "smtp-secret" } },
      { kind: "http-sms", url: "https://sms.example/send", auth: { header: "X-Api-Key", value: "sms-secret" } },
      { kind: "fcm", url: "https://fcm.example/send", accessToken: "fcm-secret" },
      {
        kind: "web-push",
        vapid: { subject: "mailto:a@b.example", publicKey: "P".repeat(87), privateKey: "vapid-secret".padEnd(43, "x") },
      },
    ].map((c) => ProviderConfig.parse(c));
    const shown = JSON.stringify(configs.map(redactedConfig));
    for (const secret of ["smtp-secret", "sms-secret", "fcm-secret", "vapid-secret"])
      expect(shown).not.toContain(secret);
    expect(shown).toContain('"user":"u"');
    expect(shown).toContain('"publicKey":"PPP');
  });

  it("keeps a provider's own timeout below the sender's: it answers before the sender gives up", async () => {
    const receiver = await fakeProvider(() => "hang");
    const provider = createProvider(
      { kind: "webhook", url: receiver.url, secret: newWebhookSecret(), timeoutMs: 60_000 },
      { devSink: memorySink(), sendTimeoutMs: 500 },
    );
    const sms = { id: "msg_1", tenantId: "ten_1", customerId: null, channel: "sms", to: "+48600100200", body: "hi" };
    const result = await provider.send(sms as never).finally(() => receiver.close());
    expect(result).toMatchObject({
      ok: false,
      failure: { code: "timeout", message: expect.stringContaining("in 400 ms") },
    });
    expect(() =>
      createProvider(
        { kind: "smtp", host: "127.0.0.1", from: "a@b.example" },
        { devSink: memorySink(), sendTimeoutMs: 100 },
      ),
    ).toThrow(/at least 125 ms/);
  }, 10_000);

  it("creates the provider its kind names", () => {
    const deps = { devSink: memorySink() };
    const providers = [
      createProvider({ kind: "development" }, deps),
      createProvider({ kind: "smtp", host: "127.0.0.1", from: "a@b.example", pool: false }, deps),
      createProvider({ kind: "http-sms", url: "https://sms.example/send" }, deps),
      createProvider({ kind: "fcm", url: "https://fcm.example/send", accessToken: "t" }, deps),
    ];
    expect(providers.map((p) => [p.name, p.channels])).toEqual([
      ["development", ["email", "sms", "push"]],
      ["smtp", ["email"]],
      ["http-sms", ["sms"]],
      ["fcm", ["push"]],
    ]);
    for (const p of providers) p.close?.();
  });
});
