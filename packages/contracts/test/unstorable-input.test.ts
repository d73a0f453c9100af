import { describe, expect, it } from "vitest";
import {
  BehaviouralEventInput,
  PushTokenRequest,
  RegisterCustomerRequest,
  SetConsentsRequest,
  Timestamp,
  UpdateProfileRequest,
  unstorableJson,
} from "../src/index.ts";

/**
 * What the stores cannot hold is refused at the door, each with its field: keys naming the prototype (a parsed
 * record loses `__proto__`, so the event was accepted and its property silently dropped), times before 1900.
 */
const issuesOf = (result: { success: boolean; error?: { issues: { path: PropertyKey[]; message: string }[] } }) =>
  result.success ? [] : result.error!.issues.map((i) => [i.path.join("."), i.message]);
const prototypeKey = "key must not be __proto__";
const event = (propertiesJson: string) =>
  JSON.parse(
    `{"eventId":"e-1","type":"app_open","occurredAt":"2026-01-01T12:00:00Z","properties":${propertiesJson}}`,
  ) as unknown;

describe("keys naming the prototype", () => {
  it.each([
    ['{"__proto__":{"screen":"home"},"a":1}', "properties.__proto__"],
    ['{"form":{"steps":[{"__proto__":1}]}}', "properties.form.steps.0.__proto__"],
    ['{"form":{"__proto__":{"x":1}}}', "properties.form.__proto__"],
  ])("are refused in event properties, naming the path: %s", (json, path) => {
    expect(issuesOf(BehaviouralEventInput.safeParse(event(json)))).toEqual([[path, prototypeKey]]);
  });

  it("are refused in preferences, set at registration or by a patch", () => {
    const register = JSON.parse(
      '{"externalIdentity":{"provider":"brand","subject":"s"},"preferences":{"__proto__":1}}',
    );
    expect(issuesOf(RegisterCustomerRequest.safeParse(register))).toEqual([["preferences.__proto__", prototypeKey]]);
    expect(issuesOf(UpdateProfileRequest.safeParse(JSON.parse('{"preferences":{"__proto__":"x"}}')))).toEqual([
      ["preferences.__proto__", prototypeKey],
    ]);
  });

  it("are reported by the shared guard with their path; ordinary keys are not", () => {
    const raw = JSON.parse('{"ok":{"__proto__":[1],"prototypes":2},"list":[{"__proto__":null}]}');
    expect(unstorableJson(raw)).toEqual([
      { path: ["ok", "__proto__"], message: prototypeKey },
      { path: ["list", 0, "__proto__"], message: prototypeKey },
    ]);
    expect(issuesOf(BehaviouralEventInput.safeParse(event('{"proto":1,"screen":"home"}')))).toEqual([]);
    // Stored and read back as ordinary keys: events accepted with them before stay readable.
    const kept = BehaviouralEventInput.safeParse(event('{"constructor":"kiosk","prototype":"menu-v2"}'));
    expect(kept.success && kept.data.properties).toEqual({ constructor: "kiosk", prototype: "menu-v2" });
  });
});

describe("times the stores cannot hold", () => {
  const earliest = "must be 1900-01-01T00:00:00Z or later";
  const consent = [{ channel: "sms", purpose: "marketing", granted: true }];

  it("are refused before 1900-01-01 UTC, as an instant whatever the offset", () => {
    expect(issuesOf(Timestamp.safeParse("0000-01-01T00:00:00Z"))).toEqual([["", earliest]]);
    expect(issuesOf(Timestamp.safeParse("1899-12-31T23:59:59.999Z"))).toEqual([["", earliest]]);
    expect(issuesOf(Timestamp.safeParse("1900-01-01T00:30:00+01:00"))).toEqual([["", earliest]]);
    expect(Timestamp.safeParse("1900-01-01T00:00:00Z").success).toBe(true);
    expect(Timestamp.safeParse(new Date().toISOString()).success).toBe(true);
  });

  it("name the consent's field", () => {
    const set = SetConsentsRequest.safeParse({ consents: consent, occurredAt: "0000-01-01T00:00:00Z" });
    expect(issuesOf(set)).toEqual([["occurredAt", earliest]]);
    const register = RegisterCustomerRequest.safeParse({
      externalIdentity: { provider: "brand", subject: "s" },
      consents: consent,
      consentedAt: "0000-06-01T00:00:00Z",
    });
    expect(issuesOf(register)).toEqual([["consentedAt", earliest]]);
  });
});

describe("a push token", () => {
  it("is at most 2048 characters, which the tokens' unique index can hold", () => {
    const device = (token: string) => PushTokenRequest.safeParse({ deviceId: "phone-1", platform: "android", token });
    expect(device("a".repeat(2048)).success).toBe(true);
    expect(issuesOf(device("a".repeat(2049)))).toEqual([["token", "must be at most 2048 characters"]]);
  });
});
