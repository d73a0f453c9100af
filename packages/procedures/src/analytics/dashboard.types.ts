import { granularities, rangeProblem } from "@regulars/analytics";
import { z } from "zod";

const Day = z.iso.date("must be a calendar day YYYY-MM-DD");

/** Both days are in the tenant's time zone and both are included: 1-31 May is the whole of May there. */
const range = {
  from: Day.describe("first day of the range, YYYY-MM-DD in the tenant's time zone, included"),
  to: Day.describe("last day of the range, YYYY-MM-DD in the tenant's time zone, included"),
};

/** The range's own problems (to before from, too many periods) as issues on the field at fault. */
const checkRange = (
  value: { from: string; to: string; granularity?: (typeof granularities)[number] },
  ctx: z.RefinementCtx,
) => {
  // A day zod refused already has its issue; zod 4 still runs this refinement then.
  if (!Day.safeParse(value.from).success || !Day.safeParse(value.to).success) return;
  const problem = rangeProblem(value);
  if (problem) ctx.addIssue({ code: "custom", path: [problem.field], message: problem.message });
};

export const DashboardSeriesInput = z
  .object({
    ...range,
    granularity: z
      .enum(granularities)
      .default("day")
      .describe("day, week (from Monday) or month: each period is named by its first day"),
  })
  .superRefine(checkRange);

export const DashboardRangeInput = z.object(range).superRefine(checkRange);

export const DashboardMembersInput = z
  .object({
    ...range,
    activeDays: z
      .number()
      .int("must be a whole number of days")
      .min(1)
      .max(3660)
      .default(90)
      .describe("a member is active with a sale in this many days up to and including `to`"),
  })
  .superRefine(checkRange);
