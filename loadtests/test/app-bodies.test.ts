import { PushTokenRequest, RegisterCustomerRequest } from "@regulars/contracts";
import { describe, expect, it } from "vitest";
import { signUpOf } from "../src/app-bodies.ts";

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
});
