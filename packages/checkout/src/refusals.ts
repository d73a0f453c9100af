import type { Refusal, RefusalCode } from "@regulars/contracts";
import { localDate, wallClock } from "@regulars/rules";

/** What each refusal says when its check has nothing more precise to add. */
const MESSAGES: Record<RefusalCode, string> = {
  unknown_code: "This code does not exist.",
  another_customers_coupon: "This coupon belongs to another customer's wallet.",
  paused: "This coupon is paused.",
  not_yet_valid: "This coupon is not valid yet.",
  expired: "This coupon has expired.",
  wrong_location: "This coupon cannot be used at this location.",
  wrong_channel: "This coupon cannot be used on this channel.",
  wrong_day: "This coupon cannot be used today.",
  wrong_time: "This coupon cannot be used at this time of day.",
  wrong_tier: "This coupon is for members of another tier.",
  below_minimum_basket: "The basket is below this coupon's minimum.",
  no_matching_items: "The basket holds nothing this applies to.",
  limit_reached: "This coupon has been used as often as it may be.",
  customer_limit_reached: "You have already used this coupon as often as you may.",
  code_used_up: "This code has already been used.",
  daily_limit_reached: "This coupon has been used as often as it may be today.",
  budget_exhausted: "This coupon's budget is spent.",
  not_combinable: "This cannot be combined with what is already applied.",
  customer_required: "Identify the customer first.",
  not_enough_points: "Not enough points.",
  below_minimum_points: "Too few points.",
  not_a_step: "Points are spent in fixed steps.",
  max_discount_reached: "Points cannot take that much off one order.",
  points_not_redeemable: "Points cannot be spent here.",
  not_enough_wallet: "Not enough wallet cash.",
  unknown_reward: "There is no such reward.",
  nothing_to_discount: "Nothing is left to discount.",
};

export const refusal = (code: RefusalCode, message: string = MESSAGES[code]): Refusal => ({ code, message });

const moneyFormats = new Map<string, { format: Intl.NumberFormat; digits: number }>();

/** Minor units as people read them: 750 EUR → "€7.50", 500 JPY → "¥500". */
export function formatMoney(minor: number, currency: string): string {
  let f = moneyFormats.get(currency);
  if (f === undefined) {
    const format = new Intl.NumberFormat("en", { style: "currency", currency });
    f = { format, digits: format.resolvedOptions().maximumFractionDigits ?? 2 };
    moneyFormats.set(currency, f);
  }
  return f.format.format(minor / 10 ** f.digits);
}

const WEEKDAYS = ["Mondays", "Tuesdays", "Wednesdays", "Thursdays", "Fridays", "Saturdays", "Sundays"];

/** "Mondays and Fridays" for ISO weekdays [1, 5]. */
export function weekdayNames(isoWeekdays: readonly number[]): string {
  const names = [...new Set(isoWeekdays)].sort((a, b) => a - b).map((d) => WEEKDAYS[d - 1] ?? String(d));
  return names.length <= 1 ? names.join("") : `${names.slice(0, -1).join(", ")} and ${names.at(-1)}`;
}

const pad2 = (n: number) => String(n).padStart(2, "0");

const isLocalMidnight = (ms: number, timezone: string): boolean => {
  const w = wallClock(ms, timezone);
  return w.hour === 0 && w.minute === 0 && w.second === 0 && w.millisecond === 0;
};

/**
 * A validity bound as the till's staff read it, in the checkout's zone: the date alone when the bound is
 * the start of a local day, else with the time ("2025-03-05 17:00"), so that on the day itself it does
 * not read as valid already.
 */
export function localDateTime(ms: number, timezone: string): string {
  const date = localDate(new Date(ms), timezone);
  if (isLocalMidnight(ms, timezone)) return date;
  const w = wallClock(ms, timezone);
  return `${date} ${pad2(w.hour)}:${pad2(w.minute)}`;
}

/** The end of a half-open window: one ending at local midnight was valid through the day before it. */
export function validUntil(endMs: number, timezone: string): string {
  return isLocalMidnight(endMs, timezone)
    ? `the end of ${localDate(new Date(endMs - 1), timezone)}`
    : localDateTime(endMs, timezone);
}
