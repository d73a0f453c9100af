import { Button, useFormat } from "@regulars/web-ui";
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { refusalKeys } from "../messages/checkout.ts";
import type { Quote } from "../order/basket.ts";
import { pointsOffer } from "../order/points-offer.ts";

type Refusal = Quote["points"]["refusal"];

/** The refusal's code as a sentence in the customer's language; the server's English when the code is new. */
export function useRefusalText() {
  const { t } = useTranslation("checkout");
  return (refusal: NonNullable<Refusal>, about: "points" | "other" = "other") =>
    t(refusalKeys(refusal.code, about), { defaultValue: refusal.message });
}

/** One thing the customer could use: a toggle when it applies, the reason when it does not. */
function OptionRow({
  title,
  detail,
  refusal,
  chosen,
  onToggle,
  about = "other",
}: {
  title: string;
  detail?: ReactNode;
  refusal: Refusal;
  /** What is offered, where a refusal reads otherwise for it. */
  about?: "points" | "other";
  chosen: boolean;
  onToggle: () => void;
}) {
  const { t } = useTranslation("checkout");
  const reason = useRefusalText();
  return (
    <li className="flex items-center gap-6 rounded-xl border-2 border-slate-300 p-5 short:gap-4 short:px-4 short:py-3">
      <div className="flex flex-1 flex-col gap-1">
        <span className="text-3xl font-semibold short:text-2xl">{title}</span>
        {detail && <span className="text-2xl text-slate-800 short:text-xl">{detail}</span>}
        {refusal && (
          <span className="text-2xl text-red-800 short:text-xl">
            {t("notApplicable", { reason: reason(refusal, about) })}
          </span>
        )}
        {chosen && !refusal && (
          <span className="text-2xl font-semibold text-emerald-800 short:text-xl">{t("applied")}</span>
        )}
      </div>
      {(!refusal || chosen) && (
        <Button
          size="xl"
          tone={chosen ? "secondary" : "primary"}
          className="min-h-20 min-w-56 border-2 text-3xl short:min-h-16 short:min-w-40 short:text-2xl"
          aria-label={chosen ? t("remove", { name: title }) : t("use", { name: title })}
          onClick={onToggle}
        >
          {chosen ? t("removeShort") : t("useShort")}
        </Button>
      )}
    </li>
  );
}

export function CouponOptions({ quote, onToggle }: { quote: Quote; onToggle: (code: string) => void }) {
  const { t } = useTranslation("checkout");
  if (quote.coupons.length === 0) return null;
  return (
    <section aria-labelledby="coupons-heading" className="flex flex-col gap-4 short:gap-2">
      <h2 id="coupons-heading" className="text-4xl font-semibold short:text-3xl">
        {t("coupons")}
      </h2>
      <ul className="flex flex-col gap-3 short:gap-2">
        {quote.coupons.map((c) => (
          <OptionRow
            key={c.code}
            title={c.name ?? c.code}
            detail={c.inWallet ? t("inWallet") : c.name ? c.code : undefined}
            refusal={c.refusal}
            chosen={c.selected}
            onToggle={() => onToggle(c.code)}
          />
        ))}
      </ul>
    </section>
  );
}

export function RewardOptions({ quote, onToggle }: { quote: Quote; onToggle: (id: string) => void }) {
  const { t } = useTranslation("checkout");
  const format = useFormat();
  if (quote.rewards.length === 0) return null;
  return (
    <section aria-labelledby="rewards-heading" className="flex flex-col gap-4 short:gap-2">
      <h2 id="rewards-heading" className="text-4xl font-semibold short:text-3xl">
        {t("rewards")}
      </h2>
      <ul className="flex flex-col gap-3 short:gap-2">
        {quote.rewards.map((r) => (
          <OptionRow
            key={`${r.id}-${r.selected}`}
            title={r.name}
            detail={t("costsPoints", { count: r.points, formatted: format.number(r.points) })}
            refusal={r.refusal}
            chosen={r.selected}
            onToggle={() => onToggle(r.id)}
          />
        ))}
      </ul>
    </section>
  );
}

/**
 * Points: what the customer has, and either what they chose to spend or what they could (`preview` prices the
 * most this basket takes, or the fewest one redemption may spend, so a refusal says why none can be used).
 */
export function PointsOption({
  quote,
  preview,
  onChoose,
}: {
  quote: Quote;
  preview: Quote | undefined;
  onChoose: (points: number) => void;
}) {
  const { t } = useTranslation("checkout");
  const format = useFormat();
  const offer = pointsOffer(quote, preview);
  if (!offer) return null;
  const { points, priced, chosen } = offer;
  return (
    <section aria-labelledby="points-heading" className="flex flex-col gap-4 short:gap-2">
      <h2 id="points-heading" className="text-4xl font-semibold short:text-3xl">
        {t("points")}
      </h2>
      <p>{t("pointsBalance", { formatted: format.number(quote.points.spendable) })}</p>
      <ul>
        <OptionRow
          title={t("spendPoints", { count: points, formatted: format.number(points) })}
          detail={priced.refusal ? undefined : t("worth", { amount: format.money(priced.value) })}
          refusal={priced.refusal}
          about="points"
          chosen={chosen}
          onToggle={() => onChoose(chosen ? 0 : points)}
        />
      </ul>
    </section>
  );
}
