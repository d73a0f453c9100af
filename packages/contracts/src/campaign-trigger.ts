import { z } from "zod";
import { DomainEvent } from "./messages.ts";
import { Timestamp } from "./primitives.ts";
import { SafeText } from "./text.ts";

/**
 * What starts a campaign for a customer: a domain event (with the conditions each kind needs), a
 * scheduled broadcast, or always-on. The pure matching lives in `@regulars/campaigns`; these are the
 * shapes an admin saves and the API returns.
 */

/** A local wall-clock time, `HH:MM` on a 24-hour clock ("18:00"). */
export const LocalTimeOfDay = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$/, "must be a time of day as HH:MM (00:00-23:59)")
  .meta({ description: "A local time of day, `HH:MM` on a 24-hour clock.", examples: ["18:00"] });
export type LocalTimeOfDay = z.infer<typeof LocalTimeOfDay>;

const id = (what: string) =>
  z
    .string()
    .regex(/^[\x21-\x7E]{1,128}$/, "use 1-128 printable characters without spaces")
    .meta({ description: `The ${what}'s id.` });
export const SegmentRef = id("segment");
export const CouponCampaignRef = id("coupon campaign");
export const TierRef = id("tier");

/** Every domain event type a campaign may listen to: the union's own discriminators, so none is misspelt. */
export const domainEventTypes = DomainEvent.options.map((o) => o.shape.type.value);
export const DomainEventType = z.enum(domainEventTypes as [string, ...string[]]);

/** A dotted path into an event's fields: `total`, `properties.formId`, `lines.0.sku`. */
const FieldPath = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z0-9_]+){0,5}$/, "a dotted field path such as properties.formId");
const Scalar = z.union([SafeText(0, 200), z.number().refine(Number.isFinite, "must be a finite number"), z.boolean()]);

/**
 * One condition on a field of the event. Comparisons never coerce: `"5"` does not equal `5`, and an
 * absent field satisfies only `exists: false` and `ne`.
 */
export const FieldCondition = z.discriminatedUnion("op", [
  z.strictObject({ field: FieldPath, op: z.enum(["eq", "ne"]), value: Scalar }),
  z.strictObject({ field: FieldPath, op: z.enum(["gt", "gte", "lt", "lte"]), value: z.number() }),
  z.strictObject({ field: FieldPath, op: z.literal("in"), value: z.array(Scalar).min(1).max(50) }),
  /** An array field that holds the value (`properties.tags` contains `vegan`). */
  z.strictObject({ field: FieldPath, op: z.literal("contains"), value: Scalar }),
  z.strictObject({ field: FieldPath, op: z.literal("exists"), value: z.boolean() }),
]);
export type FieldCondition = z.infer<typeof FieldCondition>;

const Weekday = z.number().int().min(1).max(7).meta({ description: "ISO weekday: 1 Monday … 7 Sunday." });

/**
 * When a broadcast goes out: once at an instant, or at a local time every day, on chosen weekdays, or on a
 * day of the month (31 means the month's last day in shorter months). Local to the campaign's zone.
 */
export const BroadcastSchedule = z
  .discriminatedUnion("repeat", [
    z.strictObject({ repeat: z.literal("once"), at: Timestamp }),
    z.strictObject({ repeat: z.literal("daily"), time: LocalTimeOfDay, until: Timestamp.optional() }),
    z.strictObject({
      repeat: z.literal("weekly"),
      time: LocalTimeOfDay,
      weekdays: z
        .array(Weekday)
        .min(1)
        .max(7)
        .refine((w) => new Set(w).size === w.length, "each weekday once"),
      until: Timestamp.optional(),
    }),
    z.strictObject({
      repeat: z.literal("monthly"),
      time: LocalTimeOfDay,
      dayOfMonth: z.number().int().min(1).max(31),
      until: Timestamp.optional(),
    }),
  ])
  .meta({ id: "BroadcastSchedule", description: "When a broadcast runs." });
export type BroadcastSchedule = z.infer<typeof BroadcastSchedule>;

/** Where a `registered` campaign's new customers come from. */
export const RegisteredVia = z
  .array(z.enum(["app", "till"]))
  .min(1)
  .max(2)
  .refine((v) => new Set(v).size === v.length, "each source once")
  .meta({
    description:
      "Which new customers start the campaign: `app` sign-ups, customers a `till` creates (by a first sale or a phone " +
      'enrolment), or both. Absent: `["app"]`. Messages still go only to customers whose consent allows them.',
    examples: [["app"], ["till"], ["app", "till"]],
  });
export type RegisteredVia = z.infer<typeof RegisteredVia>;

export const CampaignTrigger = z
  .discriminatedUnion("type", [
    /**
     * A new customer: app sign-ups (`app`, the default), customers a till creates (`till`: a first sale or a phone
     * enrolment), or both. Once in a customer's life, so one enrolled at a till who later signs up is welcomed once.
     */
    z.strictObject({ type: z.literal("registered"), via: RegisteredVia.optional() }),
    /** A customer's first sale; the worker tells the matcher how many sales the customer has. */
    z.strictObject({ type: z.literal("first_purchase") }),
    /** The app's `profile_completed` event. */
    z.strictObject({ type: z.literal("profile_completed") }),
    /** An upgrade to this tier; to any tier when `tierId` is absent. */
    z.strictObject({ type: z.literal("tier_reached"), tierId: TierRef.optional() }),
    /** A points milestone crossed; any of the programme's milestones when `thresholds` is absent. */
    z.strictObject({
      type: z.literal("points_milestone"),
      thresholds: z.array(z.number().int().positive()).min(1).max(50).optional(),
    }),
    /**
     * The customer came within `within` of tier `tierId`'s threshold ("Only 20 points to gold"), in the tiers' own
     * unit (points earned, spend in minor units, or orders; never the spendable balance), from below, while below
     * that tier. Once per crossing: a refund taking the value back below the band lets the next rise count again.
     */
    z.strictObject({
      type: z.literal("tier_gap"),
      tierId: TierRef,
      within: z.number().int().positive().max(100_000_000),
    }),
    /** Points about to expire: acts `daysBefore` days before they do (at once if the notice came later). */
    z.strictObject({
      type: z.literal("points_expiring"),
      daysBefore: z.number().int().min(0).max(365),
      minPoints: z.number().int().positive().optional(),
    }),
    /** The customer's birthday, `daysBefore` local days ahead (0: on the day), found by the daily scan. */
    z.strictObject({ type: z.literal("birthday"), daysBefore: z.number().int().min(0).max(60) }),
    /**
     * No purchase (visit) for `days` days: the last sale, the clock points expiry on inactivity reads too; app events
     * do not count. Found by the daily scan; once per stretch of inactivity.
     */
    z.strictObject({ type: z.literal("inactive"), days: z.number().int().min(1).max(1_095) }),
    z.strictObject({ type: z.literal("segment_entered"), segmentId: SegmentRef }),
    /**
     * Any domain event of a type, when every condition holds. Never what the campaign's own steps caused; what other
     * campaigns caused (their bonus points, coupons, messages, enrolments) while their chain is short (see
     * `hearsCause` in @regulars/campaigns).
     */
    z.strictObject({
      type: z.literal("domain_event"),
      eventType: DomainEventType,
      conditions: z.array(FieldCondition).max(10).default([]),
      campaignCaused: z
        .boolean()
        .optional()
        .meta({
          deprecated: true,
          description:
            "Ignored: kept so definitions saved with it still read. Every campaign hears what other campaigns caused, " +
            "up to a bounded chain, and never what it caused itself.",
        }),
    }),
    /** The audience at planned times. */
    z.strictObject({ type: z.literal("broadcast"), schedule: BroadcastSchedule }),
    /** The audience continuously: its members when the campaign starts and whoever joins it later. */
    z.strictObject({ type: z.literal("always_on") }),
  ])
  .meta({ id: "CampaignTrigger", description: "What starts the campaign for a customer." });
export type CampaignTrigger = z.infer<typeof CampaignTrigger>;
export type CampaignTriggerType = CampaignTrigger["type"];
