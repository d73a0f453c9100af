import { expect, it } from "vitest";
import { z } from "zod";
import { loadConfig } from "../src/config.ts";
import { envNumber } from "../src/env-number.ts";

// `X=` in a .env or compose file sets X to nothing: read as 0 it would, say, refuse every sale a till stamps a
// second ahead (OCCURRED_AT_MAX_AHEAD_SECONDS) or listen on a random port (GATEWAY_PORT).
it("reads a number set to nothing as not set: its default, not 0", () => {
  const aheadByDefault = loadConfig({}).OCCURRED_AT_MAX_AHEAD_SECONDS;
  expect(aheadByDefault).toBe(300);
  expect(loadConfig({ OCCURRED_AT_MAX_AHEAD_SECONDS: "" }).OCCURRED_AT_MAX_AHEAD_SECONDS).toBe(aheadByDefault);
  expect(loadConfig({ OCCURRED_AT_MAX_AHEAD_SECONDS: "0" }).OCCURRED_AT_MAX_AHEAD_SECONDS).toBe(0);

  const defaults = loadConfig({});
  const numeric = Object.keys(defaults).filter((key) => typeof defaults[key as keyof typeof defaults] === "number");
  expect(numeric).toContain("GATEWAY_PORT");
  for (const key of numeric)
    for (const nothing of ["", "  "])
      expect(loadConfig({ [key]: nothing })[key as keyof typeof defaults], `${key}="${nothing}"`).toEqual(
        defaults[key as keyof typeof defaults],
      );
});

it("still refuses a number that is not one, by name", () => {
  expect(() => loadConfig({ OCCURRED_AT_MAX_AHEAD_SECONDS: "five minutes" })).toThrow(/OCCURRED_AT_MAX_AHEAD_SECONDS/);
  const seconds = envNumber(z.coerce.number().int().min(0).default(300));
  expect(seconds.parse("")).toBe(300);
  expect(seconds.parse(undefined)).toBe(300);
  expect(seconds.parse("42")).toBe(42);
  expect(seconds.safeParse("-1").success).toBe(false);
  // Required (no default): nothing is refused, as a missing value is, rather than read as 0.
  expect(envNumber(z.coerce.number()).safeParse("").success).toBe(false);
});
