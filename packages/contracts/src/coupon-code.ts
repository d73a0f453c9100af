import { z } from "zod";

/** A coupon code as customers type it: letters, digits and '-', compared upper-case. */
export const CouponCode = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9][A-Za-z0-9-]{2,63}$/, "use 3-64 letters, digits or '-'")
  .transform((c) => c.toUpperCase())
  .meta({ description: "A coupon code: 3-64 letters, digits or '-', case-insensitive.", examples: ["WELCOME-7KQ4"] });

const TYPOGRAPHIC_DASHES = /[\u2010-\u2015\u2212]/g;

/**
 * A code as stored and compared: trimmed, upper case, typographic dashes (which spreadsheets, word
 * processors and some tills put in) as '-'. Validity is CouponCode's to judge.
 */
export const normalizeCouponCode = (raw: string): string => raw.trim().replace(TYPOGRAPHIC_DASHES, "-").toUpperCase();

/**
 * A code a till posts on a sale it has already made: normalised first, so `once–only ` is the
 * `ONCE-ONLY` a quote would have found, then judged as CouponCode. A preprocess rather than a
 * transform, so the OpenAPI document still shows CouponCode's pattern.
 */
export const PostedCouponCode = z.preprocess(
  (raw) => (typeof raw === "string" ? normalizeCouponCode(raw) : raw),
  CouponCode,
);
