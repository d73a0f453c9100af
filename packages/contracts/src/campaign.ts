import { z } from "zod";
import {
  CampaignTrigger,
  type CampaignTriggerType,
  CouponCampaignRef,
  LocalTimeOfDay,
  SegmentRef,
} from "./campaign-trigger.ts";
import { ConsentChannel } from "./customer-profile.ts";
import { SafeText } from "./text.ts";

/**
 * A campaign's definition as an admin saves it. Each save is a new version of the campaign (the store
 * numbers them); `schemaVersion` is the version of this shape, so a stored definition can be read again
 * after the shape grows.
 */

export const CampaignStatus = z.enum(["draft", "scheduled", "active", "paused", "archived"]).meta({
  id: "CampaignStatus",
  description:
    "`draft` (being written), `scheduled` (a broadcast waiting for its first run), `active` (running), " +
    "`paused` (nothing new starts; resumable), `archived` (ended for good).",
});
export type CampaignStatus = z.infer<typeof CampaignStatus>;

export const CampaignAudience = z
  .discriminatedUnion("kind", [
    z.strictObject({ kind: z.literal("all_members") }),
    z.strictObject({ kind: z.literal("segment"), segmentId: SegmentRef }),
    /** Whoever the trigger names: for event-triggered campaigns. */
    z.strictObject({ kind: z.literal("none") }),
  ])
  .meta({ id: "CampaignAudience", description: "Who the campaign may reach." });
export type CampaignAudience = z.infer<typeof CampaignAudience>;

/** A pause before a step, after the step before it ran (or the trigger, for the first step). */
export const StepWait = z.strictObject({
  amount: z.number().int().min(1).max(10_000),
  /** `days` are local calendar days: the same wall time that many days later, whatever DST does. */
  unit: z.enum(["minutes", "hours", "days"]),
});
export type StepWait = z.infer<typeof StepWait>;

const stepBase = { wait: StepWait.optional() };
export const CampaignAction = z
  .discriminatedUnion("type", [
    z.strictObject({ ...stepBase, type: z.literal("issue_coupon"), couponCampaignId: CouponCampaignRef }),
    z.strictObject({
      ...stepBase,
      type: z.literal("award_points"),
      points: z.number().int().min(1).max(1_000_000),
      reason: SafeText(1, 200),
    }),
    /** A message from a saved template set: one channel, one template per language (see `@regulars/messaging`). */
    z.strictObject({
      ...stepBase,
      type: z.literal("send_message"),
      channel: ConsentChannel,
      // An empty id is a step whose template was never chosen: say so, and only that (abort skips the pattern).
      templateId: z
        .string()
        .min(1, { error: "choose a template", abort: true })
        .regex(/^[\x21-\x7E]{1,128}$/, "use 1-128 printable characters without spaces"),
    }),
  ])
  .meta({ id: "CampaignAction", description: "One step of a campaign, run in order." });
export type CampaignAction = z.infer<typeof CampaignAction>;

/** Whose clock "18:00" and quiet hours are read on; the next one is used when a zone is unknown. */
export const DeliveryZone = z.enum(["customer", "location", "tenant"]);
export type DeliveryZone = z.infer<typeof DeliveryZone>;

export const DeliveryTiming = z.discriminatedUnion("at", [
  z.strictObject({ at: z.literal("immediately") }),
  /** The first such local time at or after the trigger: "18:00 that evening", the next day when past. */
  z.strictObject({ at: z.literal("local_time"), time: LocalTimeOfDay }),
]);
export type DeliveryTiming = z.infer<typeof DeliveryTiming>;

/** Local hours when no message goes out; `start` after `end` spans midnight (21:00-08:00). */
export const QuietHours = z
  .strictObject({ start: LocalTimeOfDay, end: LocalTimeOfDay })
  .refine((q) => q.start !== q.end, "start and end must differ");
export type QuietHours = z.infer<typeof QuietHours>;

export const CampaignDelivery = z.strictObject({
  timing: DeliveryTiming.default({ at: "immediately" }),
  zone: DeliveryZone.default("customer"),
  quietHours: QuietHours.nullable().default(null),
});
export type CampaignDelivery = z.infer<typeof CampaignDelivery>;

/** At most `max` messages on `channel` (every channel when absent) in any `windowHours`, across campaigns. */
export const FrequencyCap = z.strictObject({
  channel: ConsentChannel.optional(),
  max: z.number().int().min(1).max(1_000),
  windowHours: z
    .number()
    .int()
    .min(1)
    .max(24 * 365),
});
export type FrequencyCap = z.infer<typeof FrequencyCap>;

export const CampaignLimits = z.strictObject({
  perCustomer: z
    .discriminatedUnion("mode", [
      z.strictObject({ mode: z.literal("once") }),
      z.strictObject({
        mode: z.literal("repeatable"),
        minGapHours: z
          .number()
          .int()
          .min(0)
          .max(24 * 365),
      }),
    ])
    .default({ mode: "once" }),
  frequencyCaps: z.array(FrequencyCap).max(10).default([]),
});
export type CampaignLimits = z.infer<typeof CampaignLimits>;
// In a file of its own, without zod, so the admin app can import it without the schemas (see package.json).
export { suggestedLimits } from "./campaign-limits.ts";

/** The share of the audience held out (stable per campaign and customer) to measure the campaign against. */
export const ControlGroup = z.strictObject({ share: z.number().min(0).max(0.5) });

/** Triggers that take their audience from the definition rather than from an event's customer. */
const audienceTriggers: CampaignTriggerType[] = ["broadcast", "always_on"];

export const CampaignDefinition = z
  .strictObject({
    schemaVersion: z.literal(1).default(1),
    name: SafeText(1, 200),
    status: CampaignStatus.default("draft"),
    audience: CampaignAudience,
    trigger: CampaignTrigger,
    actions: z.array(CampaignAction).min(1, "give at least one action").max(20),
    delivery: CampaignDelivery.default({ timing: { at: "immediately" }, zone: "customer", quietHours: null }),
    limits: CampaignLimits.default({ perCustomer: { mode: "once" }, frequencyCaps: [] }).meta({
      description:
        "How often one customer may be reached; omitted, each customer is reached once ever, so API callers should " +
        "send limits (e.g. repeatable) for recurring triggers such as broadcast, birthday or inactive.",
    }),
    controlGroup: ControlGroup.nullable().default(null),
  })
  .superRefine((d, ctx) => {
    if (audienceTriggers.includes(d.trigger.type) && d.audience.kind === "none")
      ctx.addIssue({ code: "custom", path: ["audience"], message: `a ${d.trigger.type} campaign needs an audience` });
  })
  .meta({ id: "CampaignDefinition", description: "A campaign: audience, trigger, actions, delivery and limits." });
export type CampaignDefinition = z.infer<typeof CampaignDefinition>;
export type CampaignDefinitionInput = z.input<typeof CampaignDefinition>;
