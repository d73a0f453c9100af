import { describe, expect, it } from "vitest";
import { DomainError, roleRefusal } from "../src/index.ts";

const thrownHere = () => new DomainError("internal", "the store answered nonsense");

describe("DomainError", () => {
  it("an answer to the caller carries its code, message and issues, and no stack frames to format", () => {
    const e = new DomainError("not_found", "no customer with that phone", [{ path: "phone", message: "unknown" }]);
    expect(e).toBeInstanceOf(Error);
    expect([e.code, e.message, e.issues]).toEqual([
      "not_found",
      "no customer with that phone",
      [{ path: "phone", message: "unknown" }],
    ]);
    expect(e.stack).toBe("DomainError: no customer with that phone");
  });

  it("a fault (5xx) keeps its stack, so the logs show where it was thrown", () => {
    expect(thrownHere().stack).toContain("thrownHere");
    expect(new DomainError("unavailable", "NATS is down").stack).toContain("domain-error.test.ts");
  });
});

describe("roleRefusal", () => {
  it("names the refused role and the ones allowed, each with its article", () => {
    expect(roleRefusal("app", ["pos", "kiosk"])).toBe("an app key cannot do this; it needs a pos or kiosk key");
    expect(roleRefusal("kiosk", ["admin"])).toBe("a kiosk key cannot do this; it needs an admin key");
    expect(roleRefusal("pos", ["app", "admin"])).toBe("a pos key cannot do this; it needs an app or admin key");
  });
});
