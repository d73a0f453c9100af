import { numberText, optionalNumber } from "../../ui/form-values.ts";
import type { ProgrammeConfig } from "./shared.tsx";

type Redemption = ProgrammeConfig["redemption"];

/** The spending settings as the form's fields hold them. */
export interface RedemptionDraft {
  spendable: boolean;
  points: string;
  value: string;
  minPoints: string;
  step: string;
  maxDiscount: string;
  refundReturnsPoints: boolean;
}

/** The settings in force as the form shows them; 100 points for 5.00 when points cannot be spent yet. */
export function redemptionDraftOf(redemption: Redemption | undefined): RedemptionDraft {
  return {
    spendable: Boolean(redemption),
    points: numberText(redemption?.points ?? 100),
    value: numberText(redemption?.value ?? 500),
    minPoints: numberText(redemption?.minPoints ?? 0),
    step: numberText(redemption?.step ?? 1),
    maxDiscount: numberText(redemption?.maxDiscountPerOrder),
    refundReturnsPoints: redemption?.refundReturnsPoints ?? true,
  };
}

/**
 * The settings to send: every field, since the server replaces them whole and a field left out would fall back to
 * its default (a refund that must not give points back would start giving them back). Null: points are not spent.
 */
export function redemptionOf(d: RedemptionDraft): NonNullable<Redemption> | null {
  if (!d.spendable) return null;
  return {
    points: Number(d.points),
    value: Number(d.value),
    minPoints: Number(d.minPoints),
    step: Number(d.step),
    maxDiscountPerOrder: optionalNumber(d.maxDiscount),
    refundReturnsPoints: d.refundReturnsPoints,
  };
}
