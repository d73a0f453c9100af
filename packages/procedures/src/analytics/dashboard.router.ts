import { couponsOverTime, locationTotals, membersAtEnd, pointsOverTime } from "@regulars/analytics";
import { listLocations } from "@regulars/tenancy";
import { analyticsOf } from "../analytics-target.ts";
import { allowedTo, router, type TenantContext } from "../trpc.ts";
import { DashboardMembersInput, DashboardRangeInput, DashboardSeriesInput } from "./dashboard.types.ts";

/** Admins and analysts see the dashboard; tills and kiosks do not. */
const dashboardProcedure = allowedTo("readAnalytics");

/** The tenant and its time zone come from the credential; the days and granularity from the input. */
const scope = <T extends object>(ctx: TenantContext, input: T) => ({
  ...input,
  tenantId: ctx.tenantId,
  timezone: ctx.credential.tenant.timezone,
});

/**
 * The admin dashboard's figures over the tenant's ClickHouse facts, in the tenant's time zone. Each answers
 * the zone its days were counted in, so a chart can label them.
 */
export const dashboardRouter = router({
  /** Points earned, redeemed (both net of refunds) and expired per period, with totals and the redemption rate. */
  points: dashboardProcedure.input(DashboardSeriesInput).query(async ({ ctx, input }) => {
    const query = scope(ctx, input);
    return {
      timezone: query.timezone,
      granularity: input.granularity,
      ...(await pointsOverTime(analyticsOf(ctx), query)),
    };
  }),

  /** Coupons issued, redeemed and returned per period, with the discount granted. */
  coupons: dashboardProcedure.input(DashboardSeriesInput).query(async ({ ctx, input }) => {
    const query = scope(ctx, input);
    return {
      timezone: query.timezone,
      granularity: input.granularity,
      ...(await couponsOverTime(analyticsOf(ctx), query)),
    };
  }),

  /** Active members at the end of the range, their average points and how many are in each tier. */
  members: dashboardProcedure.input(DashboardMembersInput).query(async ({ ctx, input }) => {
    const query = scope(ctx, input);
    return { timezone: query.timezone, asOf: input.to, ...(await membersAtEnd(analyticsOf(ctx), query)) };
  }),

  /**
   * Sales, refunds and revenue (in the tenant's currency's minor units) per location over the range. A location with
   * a zone of its own counts its days there (`locations.timezone`); `timezone` is the zone of all the others.
   */
  locations: dashboardProcedure.input(DashboardRangeInput).query(async ({ ctx, input }) => {
    const query = scope(ctx, input);
    const locationZones = Object.fromEntries(
      (await listLocations(ctx.db, ctx.tenantId)).flatMap((l) => (l.timezone ? [[l.id, l.timezone]] : [])),
    );
    return {
      timezone: query.timezone,
      currency: ctx.credential.tenant.currency,
      locations: await locationTotals(analyticsOf(ctx), { ...query, locationZones }),
    };
  }),
});
