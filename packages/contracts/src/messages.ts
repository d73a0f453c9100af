import { z } from "zod";
import {
  CampaignEnrolled,
  MessageClicked,
  MessageDelivered,
  MessageFailed,
  MessageOpened,
  MessageSent,
} from "./campaign-events.ts";
import { ConsentChanged, CustomerCreated, CustomerErased, CustomerUpdated } from "./customer-profile.ts";
import { StoredBehaviouralEvent } from "./event.ts";
import { SegmentEntered, SegmentLeft } from "./segment.ts";
import { StoredTransaction } from "./transaction.ts";

/**
 * What travels on JetStream. Consumers zod-parse every message: a stream is an edge like any other.
 * The tenant is stamped by the gateway from the credential, never taken from the request body. The body is read in
 * its stored form, which ignores fields it does not know: the gateway refuses them in requests, and a message stored
 * by another release of it must still apply.
 */
export const TransactionMessage = z.object({
  tenantId: z.string(),
  transactionId: z.string(),
  receivedAt: z.iso.datetime({ offset: true }),
  transaction: StoredTransaction,
  /**
   * The API key that posted it, stamped by the gateway like the tenant: the key the sale's unknown coupon codes
   * count against. Optional: messages stored before it was stamped are applied without counting.
   */
  credentialId: z.string().optional(),
  /**
   * Set by the gateway when it reserved the sale's unknown coupon codes against `credentialId` before storing it:
   * the ledger then counts nothing. Messages stamped with the key but not this were stored before the gateway
   * reserved, and the ledger counts their unknown codes as it applies them.
   */
  codesCounted: z.literal(true).optional(),
});
export type TransactionMessage = z.infer<typeof TransactionMessage>;

export const EventMessage = z.object({
  tenantId: z.string(),
  id: z.string(),
  receivedAt: z.iso.datetime({ offset: true }),
  event: StoredBehaviouralEvent,
});
export type EventMessage = z.infer<typeof EventMessage>;

const ProcessedLine = z.object({
  lineNo: z.number().int(),
  sku: z.string(),
  name: z.string(),
  category: z.string().nullable(),
  tags: z.array(z.string()),
  quantity: z.number().int(),
  unitPrice: z.number().int(),
  discount: z.number().int(),
  amount: z.number().int(),
});

const ProcessedCouponUse = z.object({
  code: z.string(),
  campaignId: z.string(),
  /** What the use took off the sale, minor units. */
  discount: z.number().int(),
});
export type ProcessedCouponUse = z.infer<typeof ProcessedCouponUse>;

/** Domain events, published after the ledger commit; webhooks and campaigns build on them. */
export const TransactionProcessed = z.object({
  type: z.literal("transaction.processed"),
  id: z.string(),
  tenantId: z.string(),
  transactionId: z.string(),
  externalId: z.string(),
  kind: z.enum(["sale", "refund"]),
  refundOf: z.string().nullable(),
  occurredAt: z.string(),
  locationId: z.string(),
  channel: z.string(),
  customerId: z.string().nullable(),
  currency: z.string(),
  total: z.number().int(),
  discountTotal: z.number().int(),
  points: z.number().int(),
  lines: z.array(ProcessedLine),
  /**
   * A sale's coupon uses that counted against their limits, with or without a customer (`coupon.redeemed` needs
   * one); a refund's, the uses it gave back. Absent on events published before it existed.
   */
  couponUses: z.array(ProcessedCouponUse).optional(),
});
export type TransactionProcessed = z.infer<typeof TransactionProcessed>;

export const EventRecorded = z.object({
  type: z.literal("event.recorded"),
  id: z.string(),
  tenantId: z.string(),
  eventId: z.string(),
  eventType: z.string(),
  occurredAt: z.string(),
  customerId: z.string().nullable(),
  locationId: z.string().nullable(),
  channel: z.string().nullable(),
  properties: z.record(z.string(), z.unknown()),
});
export type EventRecorded = z.infer<typeof EventRecorded>;

const LoyaltyEventBase = z.object({
  id: z.string(),
  tenantId: z.string(),
  customerId: z.string(),
  occurredAt: z.string(),
});

/**
 * The campaign whose step caused the event (its bonus points, its coupon), so campaigns listening to the event can
 * tell their own effects and other campaigns' from the customer's doing: a campaign is never started again by what it
 * gave. Absent for anything else, and on events published before it existed.
 */
const causedByCampaignId = z.string().optional();

/** Points credited (a sale, a bonus, an action, a stamp card or tier reward, an adjustment). */
export const PointsEarned = LoyaltyEventBase.extend({
  type: z.literal("points.earned"),
  points: z.number().int(),
  movementKind: z.string(),
  transactionId: z.string().nullable(),
  pending: z.boolean(),
  balance: z.number().int(),
  causedByCampaignId,
});
/**
 * Points a refund took back of a reward its sale gave (a coupon's bonus points, a tier or stamp card reward;
 * `movementKind` "bonus"), or an admin's negative adjustment took (`movementKind` "adjust"): `points` is what was
 * taken, positive. What a refund takes back of the points its sale earned is the refund's negative `points` on
 * transaction.processed instead.
 */
export const PointsReversed = LoyaltyEventBase.extend({
  type: z.literal("points.reversed"),
  points: z.number().int(),
  movementKind: z.string(),
  transactionId: z.string().nullable(),
  balance: z.number().int(),
});
export const PointsRedeemed = LoyaltyEventBase.extend({
  type: z.literal("points.redeemed"),
  points: z.number().int(),
  transactionId: z.string().nullable(),
  balance: z.number().int(),
});
export const PointsExpiring = LoyaltyEventBase.extend({
  type: z.literal("points.expiring"),
  points: z.number().int(),
  expiresAt: z.string(),
});
export const PointsExpired = LoyaltyEventBase.extend({
  type: z.literal("points.expired"),
  points: z.number().int(),
  balance: z.number().int(),
});
export const PointsMilestone = LoyaltyEventBase.extend({
  type: z.literal("points.milestone"),
  threshold: z.number().int(),
  balance: z.number().int(),
  crossing: z.number().int(),
});
/**
 * The value a customer's tier rests on (points earned, spend in minor units, or orders: the tiers' basis) rose to
 * within `within` of tier `tierId`'s threshold, from below that band, while the customer's tier was below it ("Only
 * 20 points to gold"). Announced once per crossing; a fall back below the band lets the next rise be a new one.
 * Only for the `(tierId, within)` pairs that campaigns with a `tier_gap` trigger ask for.
 */
export const TierGap = LoyaltyEventBase.extend({
  type: z.literal("tier.gap"),
  tierId: z.string(),
  within: z.number().int(),
  threshold: z.number(),
  /** The qualifying value after the movement, and what it still lacks (`threshold - value`). */
  value: z.number(),
  gap: z.number(),
  crossing: z.number().int(),
  transactionId: z.string().nullable(),
});
/**
 * A customer's tier changed. Its id starts with `tier:<customerId>:`: after a merge moved the merged customer's
 * events to the survivor, the dashboard tells the survivor's own changes from them by it.
 */
export const TierChanged = LoyaltyEventBase.extend({
  type: z.literal("tier.changed"),
  from: z.string().nullable(),
  to: z.string(),
  direction: z.enum(["up", "down"]),
  qualifyingValue: z.number(),
  /**
   * `merge`: the survivor of a merge took the higher tier of the customer merged into it. The person reached that
   * tier before, under the merged customer: no tier reward, and no "tier reached" campaign, comes with it again.
   */
  cause: z.literal("merge").optional(),
  /**
   * The order the ledger applied the customer's tier changes in, which `occurredAt` is not (an offline sale uploaded
   * late, a refund dated before its sale): the database's clock, to the microsecond, when the change was written,
   * under the customer's lock, so a later change of the same customer is written later; `appliedIndex` orders the
   * changes written at that same instant. Absent on events written before it was recorded.
   */
  appliedAt: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/, "UTC to the microsecond")
    .optional(),
  appliedIndex: z.number().int().nonnegative().optional(),
});
export const StampCardCompleted = LoyaltyEventBase.extend({
  type: z.literal("stamp_card.completed"),
  cardId: z.string(),
  completions: z.number().int(),
  rewardPoints: z.number().int(),
  transactionId: z.string().nullable(),
});

/** A coupon put into a customer's wallet. */
export const CouponIssued = LoyaltyEventBase.extend({
  type: z.literal("coupon.issued"),
  campaignId: z.string(),
  code: z.string(),
  source: z.string(),
  causedByCampaignId,
});
/** A coupon used on a sale (committed by the ledger), or given back by its refund (`returned`). */
export const CouponRedeemed = LoyaltyEventBase.extend({
  type: z.literal("coupon.redeemed"),
  campaignId: z.string(),
  code: z.string(),
  discount: z.number().int(),
  transactionId: z.string(),
  returned: z.boolean(),
});

export const LoyaltyEvent = z.discriminatedUnion("type", [
  PointsEarned,
  PointsReversed,
  PointsRedeemed,
  PointsExpiring,
  PointsExpired,
  PointsMilestone,
  TierGap,
  TierChanged,
  StampCardCompleted,
  CouponIssued,
  CouponRedeemed,
]);
export type LoyaltyEvent = z.infer<typeof LoyaltyEvent>;

export const DomainEvent = z.discriminatedUnion("type", [
  TransactionProcessed,
  EventRecorded,
  PointsEarned,
  PointsReversed,
  PointsRedeemed,
  PointsExpiring,
  PointsExpired,
  PointsMilestone,
  TierGap,
  TierChanged,
  StampCardCompleted,
  CouponIssued,
  CouponRedeemed,
  CustomerCreated,
  CustomerUpdated,
  ConsentChanged,
  CustomerErased,
  SegmentEntered,
  SegmentLeft,
  CampaignEnrolled,
  MessageSent,
  MessageDelivered,
  MessageFailed,
  MessageOpened,
  MessageClicked,
]);
export type DomainEvent = z.infer<typeof DomainEvent>;

/** Body of a dead-lettered message: enough to understand and replay it. */
export const DeadLetter = z.object({
  reason: z.string(),
  consumer: z.string(),
  stream: z.string(),
  subject: z.string(),
  streamSequence: z.number().int(),
  deliveries: z.number().int(),
  failedAt: z.string(),
  payload: z.string(),
  /**
   * Only when the whole letter would not fit under NATS' max_payload: `payload` is then just its beginning, and
   * this the size of the whole payload in bytes. The whole message stays on `stream` (at `streamSequence`) while kept.
   */
  truncatedFromBytes: z.number().int().optional(),
});
export type DeadLetter = z.infer<typeof DeadLetter>;
