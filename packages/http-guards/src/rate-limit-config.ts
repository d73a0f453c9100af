import { z } from "zod";
import type { BucketLimit } from "./rate-limiter.ts";

/**
 * One role's limit as an operator writes it: `<per second>/<burst>` (e.g. `50/100`), or `off`.
 * Used by the app's config schema, so a typo fails at start with the variable's name.
 */
export const RateLimitSetting = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((value, ctx): BucketLimit | null => {
      if (value.trim() === "off") return null;
      const match = /^\s*(\d+(?:\.\d+)?)\s*\/\s*(\d+)\s*$/.exec(value);
      const perSecond = Number(match?.[1]);
      const burst = Number(match?.[2]);
      if (!match || perSecond <= 0 || burst < 1) {
        ctx.addIssue({
          code: "custom",
          message: `must be "<requests per second>/<burst>" such as "50/100", or "off"; got "${value}"`,
        });
        return z.NEVER;
      }
      return { perSecond, burst };
    });
