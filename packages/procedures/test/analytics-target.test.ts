import type { AnalystSqlTarget } from "@regulars/analytics";
import { DomainError } from "@regulars/errors";
import { describe, expect, it } from "vitest";
import { analyticsOf } from "../src/analytics-target.ts";

// Every procedure that reads ClickHouse asks for it here: the same `unavailable` and advice wherever it is missing.
describe("analyticsOf", () => {
  it("gives the context's ClickHouse when this process has one", () => {
    const target = { ping: () => true } as unknown as AnalystSqlTarget;
    expect(analyticsOf({ analytics: target })).toBe(target);
  });

  it("answers unavailable with what to do, and why the call needs it where that is said", () => {
    for (const analytics of [null, undefined]) {
      const e = (() => {
        try {
          analyticsOf({ analytics }, "an export must include it");
        } catch (thrown) {
          return thrown;
        }
      })();
      expect(e).toBeInstanceOf(DomainError);
      expect((e as DomainError).code).toBe("unavailable");
      expect((e as DomainError).message).toMatch(/^analytics is not reachable from this API process, and an export/);
      expect((e as DomainError).message).toMatch(/set CLICKHOUSE_URL/);
    }
    expect(() => analyticsOf({ analytics: null })).toThrow(/this API process: set CLICKHOUSE_URL/);
  });
});
