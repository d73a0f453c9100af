import { useFormat } from "@regulars/web-ui";
import { useTranslation } from "react-i18next";
import type { BasketItem, Quote } from "../order/basket.ts";

/** The basket as priced: each line after what Regulars took off, what took it off, and the total. */
export function QuoteSummary({ quote, items }: { quote: Quote; items: BasketItem[] }) {
  const { t } = useTranslation("checkout");
  const format = useFormat();
  return (
    <section
      aria-labelledby="summary-heading"
      className={[
        "flex min-h-0 flex-1 flex-col gap-4 rounded-2xl border-2",
        "border-slate-300 bg-slate-50 p-8 short:gap-2 short:p-4",
      ].join(" ")}
    >
      <h2 id="summary-heading" className="text-4xl font-semibold short:text-3xl">
        {t("summary")}
      </h2>
      {/* A long basket scrolls here, under a total that stays put; focusable, so a keyboard can scroll it too. */}
      {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region with nothing focusable inside */}
      <div tabIndex={0} className="flex min-h-0 flex-1 flex-col gap-4 overflow-y-auto short:gap-2">
        <ul className="flex flex-col gap-2 short:gap-1">
          {quote.lines.map((line) => {
            const item = items[line.lineNo];
            if (!item) return null;
            const full = item.product.price * item.quantity;
            return (
              <li key={line.lineNo} className="flex justify-between gap-4">
                <span>{t("line", { name: item.product.name, quantity: item.quantity })}</span>
                <span>
                  {line.discount > 0 && <s className="mr-4 text-slate-700">{format.money(full)}</s>}
                  {format.money(line.amount)}
                </span>
              </li>
            );
          })}
        </ul>
        {quote.applied.length > 0 && (
          <>
            <h3 className="text-3xl font-semibold short:text-2xl">{t("savings")}</h3>
            <ul className="flex flex-col gap-2 text-emerald-900">
              {quote.applied.map((a) => (
                <li key={`${a.source}-${a.ref}`} className="flex justify-between gap-4">
                  <span>
                    {a.source === "points"
                      ? t("pointsSpent", { count: a.points, formatted: format.number(a.points) })
                      : a.name}
                  </span>
                  <span>−{format.money(a.amount)}</span>
                </li>
              ))}
            </ul>
          </>
        )}
      </div>
      <dl className="grid shrink-0 grid-cols-[1fr_auto] gap-x-6 gap-y-1 border-t-2 border-slate-300 pt-4 short:pt-2">
        <dt>{t("subtotal")}</dt>
        <dd className="text-right">{format.money(quote.subtotal)}</dd>
        {quote.discount > 0 && (
          <>
            <dt>{t("discount")}</dt>
            <dd className="text-right">−{format.money(quote.discount)}</dd>
          </>
        )}
        <dt className="text-4xl font-bold short:text-3xl">{t("total")}</dt>
        <dd className="text-right text-4xl font-bold short:text-3xl" aria-live="polite">
          {format.money(quote.total)}
        </dd>
      </dl>
    </section>
  );
}
