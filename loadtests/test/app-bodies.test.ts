import { BehaviouralEventInput, PushTokenRequest, RegisterCustomerRequest } from "@regulars/contracts";
import { describe, expect, it } from "vitest";
import { appEventOf, signUpOf } from "../src/app-bodies.ts";

describe("app sign-up bodies (k6/app-signups.ts)", () => {
  it("are what the gateway accepts, a new identity and device each time", () => {
    const bodies = Array.from({ length: 200 }, (_, n) => signUpOf("run1", n));
    for (const b of bodies) {
      expect(RegisterCustomerRequest.safeParse(b.register).error).toBeUndefined();
      expect(PushTokenRequest.safeParse(b.pushToken).error).toBeUndefined();
    }
    expect(new Set(bodies.map((b) => b.register.externalIdentity.subject)).size).toBe(200);
    expect(new Set(bodies.map((b) => b.pushToken.deviceId)).size).toBe(200);
    expect(signUpOf("run2", 0).register.externalIdentity.subject).not.toBe(
      bodies[0]!.register.externalIdentity.subject,
    );
  });

  it("report events the gateway accepts, each under a new eventId, a little before now", () => {
    const nowMs = Date.now();
    const member = signUpOf("run1", 0).register.externalIdentity;
    const events = Array.from({ length: 200 }, (_, n) => appEventOf("run1", n, member, nowMs));
    for (const e of events) {
      expect(BehaviouralEventInput.safeParse(e).error).toBeUndefined();
      expect(Date.parse(e.occurredAt)).toBeLessThanOrEqual(nowMs);
      expect(Date.parse(e.occurredAt)).toBeGreaterThan(nowMs - 61_000);
    }
    expect(new Set(events.map((e) => e.eventId)).size).toBe(200);
    expect(appEventOf("run2", 0, member, nowMs).eventId).not.toBe(events[0]!.eventId);
  });
});
