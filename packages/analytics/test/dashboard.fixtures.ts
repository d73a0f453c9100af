import type { LoyaltyEvent } from "@regulars/contracts";
import { uniqueId } from "./fixtures.ts";

// Loyalty events as the ledger and the coupon wallet publish them, unique ids per call.

type Of<T extends LoyaltyEvent["type"]> = Extract<LoyaltyEvent, { type: T }>;
const base = (tenantId: string, customerId: string, occurredAt: string) => ({
  id: uniqueId("le"),
  tenantId,
  customerId,
  occurredAt,
});

export const pointsEarned = (
  tenantId: string,
  customerId: string,
  occurredAt: string,
  points: number,
  extra: Partial<Of<"points.earned">> = {},
): Of<"points.earned"> => ({
  ...base(tenantId, customerId, occurredAt),
  type: "points.earned",
  points,
  movementKind: "earn",
  transactionId: null,
  pending: false,
  balance: points,
  ...extra,
});

export const pointsRedeemed = (
  tenantId: string,
  customerId: string,
  occurredAt: string,
  points: number,
): Of<"points.redeemed"> => ({
  ...base(tenantId, customerId, occurredAt),
  type: "points.redeemed",
  points,
  transactionId: uniqueId("tx"),
  balance: 0,
});

export const pointsExpired = (
  tenantId: string,
  customerId: string,
  occurredAt: string,
  points: number,
): Of<"points.expired"> => ({
  ...base(tenantId, customerId, occurredAt),
  type: "points.expired",
  points,
  balance: 0,
});

export const tierChanged = (
  tenantId: string,
  customerId: string,
  occurredAt: string,
  to: string,
  from: string | null = null,
): Of<"tier.changed"> => ({
  ...base(tenantId, customerId, occurredAt),
  type: "tier.changed",
  from,
  to,
  direction: "up",
  qualifyingValue: 100,
});

export const couponIssued = (tenantId: string, customerId: string, occurredAt: string): Of<"coupon.issued"> => ({
  ...base(tenantId, customerId, occurredAt),
  type: "coupon.issued",
  campaignId: "cmp_fries",
  code: uniqueId("CODE"),
  source: "campaign",
});

export const couponRedeemed = (
  tenantId: string,
  customerId: string,
  occurredAt: string,
  discount: number,
  returned = false,
): Of<"coupon.redeemed"> => ({
  ...base(tenantId, customerId, occurredAt),
  type: "coupon.redeemed",
  campaignId: "cmp_fries",
  code: uniqueId("CODE"),
  discount,
  transactionId: uniqueId("tx"),
  returned,
});

/** Points taken back: a refund's of a reward (`bonus`) or an admin's negative adjustment (`adjust`). */
export const pointsReversed = (
  tenantId: string,
  customerId: string,
  occurredAt: string,
  points: number,
  movementKind: "bonus" | "adjust",
): Of<"points.reversed"> => ({
  ...base(tenantId, customerId, occurredAt),
  type: "points.reversed",
  points,
  movementKind,
  transactionId: movementKind === "bonus" ? uniqueId("tx") : null,
  balance: 0,
});
