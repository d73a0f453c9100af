import { describe, expect, it } from "vitest";
import { createProvider, memorySink, ProviderConfig, redactedConfig } from "../src/index.ts";

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
