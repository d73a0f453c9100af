import type { CouponCampaignConfig, Refusal } from "@regulars/contracts";
import { isoWeekday, localDate, matchesLine, wallClock } from "@regulars/rules";
import { discountMatch } from "./benefits.ts";
import type { PricingContext } from "./context.ts";
import { formatMoney, localDateTime, refusal, validUntil, weekdayNames } from "./refusals.ts";
import type { KnownCoupon } from "./types.ts";

/**
 * A coupon's checks in the order the first failure is reported: the code, whose it is, the campaign's state and
 * validity, where/when/who, the limits, then the basket. Stacking and the amount come later (quote).
 * The limits come before the basket because no basket lifts them: a used-up coupon said to want fries
 * would send the customer for fries only to be told then that it is used up.
 */

const minutesOf = (hhmm: string): number => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/**
 * Whether the local time of day lies in [from, to). `to` before `from` spans midnight (22:00-02:00);
 * `to` equal to `from` means the whole day rather than no time at all.
 */
export function withinHours(hours: { from: string; to: string }, at: Date, timezone: string): boolean {
  const w = wallClock(at.getTime(), timezone);
  const now = w.hour * 60 + w.minute;
  const from = minutesOf(hours.from);
  const to = minutesOf(hours.to);
  if (from === to) return true;
  return from < to ? now >= from && now < to : now >= from || now < to;
}

type Hours = { from: string; to: string };

const spansMidnight = (hours: Hours): boolean => minutesOf(hours.to) < minutesOf(hours.from);

/**
 * The ISO weekday whose hours a moment belongs to. Hours past midnight (22:00-02:00) are one night, so their small
 * hours count for the day the night began: Saturday 01:30 is Friday night, Friday 00:30 is Thursday night. Read on
 * the wall clock, so a night across a daylight-saving change is still one night.
 */
function weekdayOfHours(hours: Hours | undefined, at: Date, timezone: string): number {
  const weekday = isoWeekday(at, timezone);
  if (hours === undefined || !inSmallHoursOfNight(hours, at, timezone)) return weekday;
  return weekday === 1 ? 7 : weekday - 1;
}

function inSmallHoursOfNight(hours: Hours, at: Date, timezone: string): boolean {
  if (!spansMidnight(hours)) return false;
  const w = wallClock(at.getTime(), timezone);
  return w.hour * 60 + w.minute < minutesOf(hours.to);
}

/** The zones of a checkout: the tenant's (`timezone`) and its location's (`localZone`, the tenant's when absent). */
export interface UsageZones {
  timezone: string;
  localZone?: string;
}

/**
 * The local date a coupon use counts for against `limits.perDay`. Usually the tenant's calendar day; hours past
 * midnight are one night, as `weekdayOfHours` judges them, so a use in their small hours counts for the date the night
 * began on the location's clock: otherwise uses at 23:00 and 01:00 fall on two days and one night gets the limit twice.
 */
export function usageDayOf(hours: Hours | undefined, at: Date, zones: UsageZones): string {
  const zone = zones.localZone ?? zones.timezone;
  if (hours === undefined || !spansMidnight(hours)) return localDate(at, zones.timezone);
  const w = wallClock(at.getTime(), zone);
  const back = inSmallHoursOfNight(hours, at, zone) ? 1 : 0;
  return new Date(Date.UTC(w.year, w.month - 1, w.day - back)).toISOString().slice(0, 10);
}

function wrongDay(weekdays: readonly number[], hours: Hours | undefined): Refusal {
  const days = weekdayNames(weekdays);
  // "Only on Fridays" read at 00:30 on a Friday, refused as Thursday night, would contradict the calendar.
  if (hours !== undefined && spansMidnight(hours))
    return refusal(
      "wrong_day",
      `This coupon is valid only from ${hours.from} on ${days} until ${hours.to} the next day.`,
    );
  return refusal("wrong_day", `This coupon is valid only on ${days}.`);
}

/** Validity, place, time, tier: the campaign's conditions on when, where and for whom. */
export function conditionsRefusal(config: CouponCampaignConfig, ctx: PricingContext): Refusal | null {
  const c = config.conditions;
  const at = ctx.at.getTime();
  if (c.validFrom !== undefined && at < Date.parse(c.validFrom))
    return refusal(
      "not_yet_valid",
      `This coupon is valid from ${localDateTime(Date.parse(c.validFrom), ctx.timezone)}.`,
    );
  if (c.validTo !== undefined && at >= Date.parse(c.validTo))
    return refusal("expired", `This coupon was valid until ${validUntil(Date.parse(c.validTo), ctx.timezone)}.`);
  if (c.locations.length > 0 && !c.locations.includes(ctx.basket.locationId)) return refusal("wrong_location");
  if (c.channels.length > 0 && !c.channels.includes(ctx.basket.channel))
    return refusal("wrong_channel", `This coupon can be used only on: ${c.channels.join(", ")}.`);
  if (c.weekdays.length > 0 && !c.weekdays.includes(weekdayOfHours(c.hours, ctx.at, ctx.timezone)))
    return wrongDay(c.weekdays, c.hours);
  if (c.hours !== undefined && !withinHours(c.hours, ctx.at, ctx.timezone))
    return refusal("wrong_time", `This coupon is valid only from ${c.hours.from} to ${c.hours.to}.`);
  if (c.tiers.length > 0) {
    if (ctx.customer === null) return refusal("customer_required");
    if (ctx.customer.tier === null || !c.tiers.includes(ctx.customer.tier)) return refusal("wrong_tier");
  }
  return null;
}

/** Minimum basket and the products it needs or discounts: the conditions the customer's order can meet. */
export function basketRefusal(config: CouponCampaignConfig, ctx: PricingContext): Refusal | null {
  const c = config.conditions;
  // The basket before any discount, the terminal's own too (the contract's `minBasket`): a sale's posted codes are
  // priced on its lines before the discount the till already gave, and must be judged as its quote was.
  const before = ctx.basket.lines.reduce((total, l) => total + l.quantity * l.unitPrice, 0);
  if (before < c.minBasket)
    return refusal(
      "below_minimum_basket",
      `Spend at least ${formatMoney(c.minBasket, ctx.basket.currency)} to use this coupon.`,
    );
  const lines = ctx.basket.lines;
  const match = discountMatch(config.benefit);
  if (c.requires !== undefined && !lines.some((l) => matchesLine(c.requires!, l))) return refusal("no_matching_items");
  if (match !== undefined && !lines.some((l) => matchesLine(match, l))) return refusal("no_matching_items");
  return null;
}

/** How often this very code may be used: unique and imported codes once unless said otherwise. */
export function codeMaxUses(coupon: KnownCoupon): number {
  const config = coupon.campaign?.config;
  if (coupon.codeMaxUses !== undefined) return coupon.codeMaxUses;
  if (config?.limits.perCode !== undefined) return config.limits.perCode;
  return config?.codes.kind === "generic" ? Number.POSITIVE_INFINITY : 1;
}

/** Money the campaign may still give away (infinite without a budget). */
export function budgetLeft(config: CouponCampaignConfig, budgetSpent: number): number {
  const budget = config.limits.budget;
  return budget === undefined ? Number.POSITIVE_INFINITY : Math.max(0, budget - budgetSpent);
}

/** Total, per customer, per code, per day, budget: in this order. */
export function limitsRefusal(coupon: KnownCoupon, config: CouponCampaignConfig, ctx: PricingContext): Refusal | null {
  const { limits } = config;
  const { usage } = coupon;
  if (limits.total !== undefined && usage.total >= limits.total) return refusal("limit_reached");
  if (limits.perCustomer !== undefined) {
    if (ctx.customer === null) return refusal("customer_required");
    if (usage.customer >= limits.perCustomer) return refusal("customer_limit_reached");
  }
  if (usage.code >= codeMaxUses(coupon)) return refusal("code_used_up");
  if (limits.perDay !== undefined && usage.today >= limits.perDay) return refusal("daily_limit_reached");
  if (budgetLeft(config, usage.budgetSpent) === 0) return refusal("budget_exhausted");
  return null;
}

/**
 * Whether this customer can never use the coupon again, whatever they order: its code is used up, or they used its
 * campaign as often as they may. A wallet lists no such coupon, as a used paper coupon is gone from a purse. Uses
 * held by a hold in force count, as for the limits: the coupon is back in the wallet if the hold is voided.
 */
export function usedUpByCustomer(coupon: KnownCoupon): boolean {
  const perCustomer = coupon.campaign?.config.limits.perCustomer;
  return (
    coupon.usage.code >= codeMaxUses(coupon) || (perCustomer !== undefined && coupon.usage.customer >= perCustomer)
  );
}

/**
 * A code issued into another's wallet is its owner's alone, whatever its campaign allows: refused before the campaign's
 * checks, it takes nothing off, reserves no use and counts toward no limit. A guest may be its owner not identified yet.
 */
function ownerRefusal(coupon: KnownCoupon, ctx: PricingContext): Refusal | null {
  if (!coupon.issuedToAnother) return null;
  if (ctx.customer === null)
    return refusal("customer_required", "This coupon is in a customer's wallet: identify the customer to use it.");
  return refusal("another_customers_coupon");
}

/** Every check that does not depend on the other coupons or on what is left of the basket. */
export function couponRefusal(coupon: KnownCoupon, ctx: PricingContext): Refusal | null {
  if (coupon.campaign === null) return refusal("unknown_code");
  const notOwners = ownerRefusal(coupon, ctx);
  if (notOwners !== null) return notOwners;
  if (coupon.campaign.status === "paused") return refusal("paused");
  const { config } = coupon.campaign;
  return conditionsRefusal(config, ctx) ?? limitsRefusal(coupon, config, ctx) ?? basketRefusal(config, ctx);
}

/** The coupons applied so far on this basket, as stacking sees them. */
export interface CouponStack {
  /** Every code selected before this one, applied or not. */
  codes: string[];
  applied: { exclusive: boolean; group: string | undefined }[];
}

export const emptyStack = (): CouponStack => ({ codes: [], applied: [] });

/** An exclusive coupon stands alone; one coupon per stacking group. */
export function stackingRefusal(config: CouponCampaignConfig, stack: CouponStack): Refusal | null {
  if (stack.applied.some((a) => a.exclusive))
    return refusal("not_combinable", "A coupon already applied cannot be combined with others.");
  if (config.stacking.exclusive && stack.applied.length > 0)
    return refusal("not_combinable", "This coupon cannot be combined with other coupons.");
  const group = config.stacking.group;
  if (group !== undefined && stack.applied.some((a) => a.group === group))
    return refusal("not_combinable", "A coupon of the same kind is already applied.");
  return null;
}
