import { describe, expect, it } from "vitest";
import { failureText } from "../src/index.ts";

describe("failureText", () => {
  it("removes the configured secrets and the customer's personal data", () => {
    expect(failureText("auth key sk_live_123456 refused for ada@example.com", ["sk_live_123456"])).toBe(
      "auth key [redacted] refused for [email]",
    );
  });
});
