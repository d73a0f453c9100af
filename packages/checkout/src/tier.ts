import type { BasketLine, ProgrammeConfig } from "@regulars/contracts";
import { partsByLine, sum } from "./allocate.ts";
import { discountParts } from "./benefits.ts";
import type { Applied } from "./context.ts";
import type { CheckoutCustomer } from "./types.ts";

/**
 * The customer's tier's ongoing % discount on every line, or null when it gives nothing. `customer.tier` is the tier
 * they count as holding (`priceCheckout` places a member without one at the entry level).
 */
export function tierDiscount(
  programme: ProgrammeConfig | null,
  customer: CheckoutCustomer | null,
  lines: readonly BasketLine[],
  left: readonly number[],
): Applied | null {
  if (customer?.tier == null || programme === null) return null;
  const level = programme.tiers?.levels.find((l) => l.id === customer.tier);
  const percent = level?.benefits.discountPercent ?? 0;
  if (level === undefined || percent <= 0) return null;
  const parts = discountParts({ kind: "percent_off", percent }, lines, left);
  const amount = sum(parts);
  if (amount === 0) return null;
  return {
    benefit: {
      source: "tier",
      ref: level.id,
      name: level.name,
      amount,
      points: 0,
      wallet: 0,
      lines: partsByLine(parts),
    },
    parts,
  };
}
