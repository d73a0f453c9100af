import type { AnalystSqlTarget } from "@regulars/analytics";
import { DomainError } from "@regulars/errors";
import type { TenantContext } from "./trpc.ts";

/**
 * The ClickHouse this API process reads, or `unavailable` with what to do about it: an API without CLICKHOUSE_URL
 * reaches the embedded engine only in the process that runs the analytics writer. `needs` says why the call cannot
 * do without it, where that is not obvious ("an export must include it").
 */
export function analyticsOf(ctx: Pick<TenantContext, "analytics">, needs?: string): AnalystSqlTarget {
  if (!ctx.analytics) {
    throw new DomainError(
      "unavailable",
      `analytics is not reachable from this API process${needs ? `, and ${needs}` : ""}: set CLICKHOUSE_URL, or run ` +
        "the API in the process that runs the analytics writer (the embedded engine belongs to one process)",
    );
  }
  return ctx.analytics;
}
