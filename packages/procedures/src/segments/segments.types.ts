import { SegmentDefinition } from "@regulars/contracts";
import { z } from "zod";
import { AnalystSqlInput } from "../analytics/analytics.types.ts";

const Name = z.string().trim().min(1, "must not be empty").max(120, "must be at most 120 characters");
const RefreshIntervalMinutes = z
  .number()
  .int()
  .min(5, "must be at least 5 minutes")
  .max(7 * 24 * 60, "must be at most a week")
  .describe("how often the membership is refreshed on schedule (it is also refreshed on every change)");

/** A segment is a definition or an analyst's SQL (lines or one string, as analytics.sql takes it), not both. */
const Source = {
  definition: SegmentDefinition.optional(),
  sql: AnalystSqlInput.shape.sql.optional(),
};
const oneSource = (input: { definition?: unknown; sql?: unknown }, ctx: z.RefinementCtx, required: boolean) => {
  const given = [input.definition, input.sql].filter((s) => s !== undefined).length;
  if (given > 1) ctx.addIssue({ code: "custom", path: ["sql"], message: "give a definition or sql, not both" });
  if (required && given === 0)
    ctx.addIssue({ code: "custom", path: ["definition"], message: "give a definition or sql" });
};

export const CreateSegmentInput = z
  .strictObject({ name: Name, ...Source, refreshIntervalMinutes: RefreshIntervalMinutes.optional() })
  .superRefine((input, ctx) => oneSource(input, ctx, true));

export const UpdateSegmentInput = z
  .strictObject({
    id: z.string().min(1),
    name: Name.optional(),
    ...Source,
    refreshIntervalMinutes: RefreshIntervalMinutes.optional(),
    status: z.enum(["active", "paused"]).optional(),
  })
  .superRefine((input, ctx) => oneSource(input, ctx, false));

export const PreviewSegmentInput = z
  .strictObject({ ...Source, sampleSize: z.number().int().min(0).max(100).default(20) })
  .superRefine((input, ctx) => oneSource(input, ctx, true));

export const SegmentIdInput = z.strictObject({ id: z.string().min(1) });

export const SegmentMembersInput = z.strictObject({
  id: z.string().min(1),
  limit: z.number().int().min(1).max(1_000).default(100),
  after: z
    .string()
    .regex(/^cus_[a-z0-9]{10,40}$/, "must be a customer id (cus_...)")
    .optional()
    .describe("the last customer id of the previous page"),
});
