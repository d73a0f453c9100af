import { unknownCodeDefaults } from "@regulars/checkout";
import { expect, it } from "vitest";
import { loadConfig } from "../src/config.ts";

it("limits unknown coupon codes by the checkout's default unless told otherwise, refusing a nonsense value by name", () => {
  const fallback = loadConfig({});
  expect([fallback.COUPON_UNKNOWN_CODE_LIMIT, fallback.COUPON_UNKNOWN_CODE_WINDOW_SECONDS]).toEqual([
    unknownCodeDefaults.limit,
    unknownCodeDefaults.windowSeconds,
  ]);
  const set = loadConfig({ COUPON_UNKNOWN_CODE_LIMIT: "50", COUPON_UNKNOWN_CODE_WINDOW_SECONDS: "3600" });
  expect([set.COUPON_UNKNOWN_CODE_LIMIT, set.COUPON_UNKNOWN_CODE_WINDOW_SECONDS]).toEqual([50, 3600]);
  expect(() => loadConfig({ COUPON_UNKNOWN_CODE_LIMIT: "0" })).toThrow(/COUPON_UNKNOWN_CODE_LIMIT/);
  expect(() => loadConfig({ COUPON_UNKNOWN_CODE_WINDOW_SECONDS: "ten minutes" })).toThrow(
    /COUPON_UNKNOWN_CODE_WINDOW_SECONDS/,
  );
});
