import { type RouterOutputs, useFormat } from "@regulars/web-ui";
import { useTranslation } from "react-i18next";

type Benefit = RouterOutputs["coupons"]["get"]["config"]["benefit"];

/** A benefit in a few words: "20% off", "€2.00 off", "1 free item". */
export function useBenefitSummary() {
  const { t } = useTranslation("coupons");
  const format = useFormat();
  return (b: Benefit): string => {
    switch (b.kind) {
      case "percent_off":
        return t("summary.percent_off", { percent: b.percent });
      case "fixed_off":
        return t("summary.fixed_off", { amount: format.money(b.amount) });
      case "free_item":
        return t("summary.free_item", { quantity: b.quantity });
      case "bonus_points":
        return t("summary.bonus_points", { points: format.number(b.points) });
      case "wallet_cash":
        return t("summary.wallet_cash", { amount: format.money(b.amount) });
    }
  };
}
