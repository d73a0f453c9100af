// The admin dashboard's figures over ClickHouse, each for one tenant and a range of days in its time zone.

export { type CouponFigures, type CouponsOverTime, couponsOverTime } from "./coupons.ts";
export { type LocationFigures, type LocationsQuery, locationTotals } from "./locations.ts";
export { defaultActiveDays, type MembersAtEnd, type MembersQuery, membersAtEnd, type TierMembers } from "./members.ts";
export { notEarnedKinds, type PointsFigures, type PointsOverTime, pointsOverTime } from "./points.ts";
export {
  type DashboardRange,
  type Granularity,
  granularities,
  maxPeriods,
  periodStarts,
  type RangeProblem,
  rangeProblem,
  type SeriesRange,
} from "./range.ts";
