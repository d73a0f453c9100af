import { analystTableNames, analystTables, runAnalystSql } from "@regulars/analytics";
import { analyticsOf } from "../analytics-target.ts";
import { allowedTo, router } from "../trpc.ts";
import { AnalystSqlInput } from "./analytics.types.ts";
import { dashboardRouter } from "./dashboard.router.ts";

export const analyticsRouter = router({
  /** The admin dashboard's figures: points, coupons, members and tiers, locations (dashboard.router.ts). */
  dashboard: dashboardRouter,
  /** The tables `sql` may read and their columns, as the console lists them; every one is the caller's tenant's. */
  sqlTables: allowedTo("readAnalytics").query(() =>
    analystTableNames.map((name) => ({ name, columns: [...analystTables[name]] })),
  ),
  /**
   * Runs an analyst's read-only SQL over the caller's tenant's facts in ClickHouse and answers its
   * columns and rows (at most 10,000). A refused or stopped query answers the rule or limit by name.
   * A mutation, not a query, so the SQL travels in a POST body rather than in the URL.
   */
  sql: allowedTo("readAnalytics")
    .input(AnalystSqlInput)
    .mutation(({ ctx, input }) => {
      return runAnalystSql(analyticsOf(ctx), ctx.tenantId, input.sql);
    }),
});
