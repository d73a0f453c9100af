import { describe, expect, it } from "vitest";
import { DomainError } from "../src/index.ts";

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
