import { Button, useFormat, useTRPC } from "@regulars/web-ui";
import { useQuery } from "@tanstack/react-query";
import { useEffect } from "react";
import { useTranslation } from "react-i18next";
import type { Quote, TillCustomer } from "../order/basket.ts";
import type { Processed } from "../order/pay.ts";
import { ScreenHeading } from "../ui.tsx";

export interface Receipt {
  processed: Processed;
  /** The price the sale was posted with: what was spent and the reward catalog as this customer saw it. */
  quote: Quote;
}

/** Long enough to read the receipt; the next customer should not find this one's points on the screen. */
const SHOWN_FOR_MS = 45_000;

export function ReceiptScreen({
  receipt,
  customer,
  onDone,
}: {
  receipt: Receipt;
  customer: TillCustomer | null;
  onDone: () => void;
}) {
  const { t } = useTranslation("receipt");
  const format = useFormat();
  const { processed, quote } = receipt;
  useEffect(() => {
    const timer = setTimeout(onDone, SHOWN_FOR_MS);
    return () => clearTimeout(timer);
  }, [onDone]);
  const spent = quote.applied.reduce((sum, a) => sum + Math.max(0, a.points), 0);
  const coupons = quote.applied.filter((a) => a.source === "coupon");

  return (
    // Done stays on screen; the points card scrolls on its own if a small screen cannot hold it all.
    <main
      className={[
        "flex min-h-0 flex-1 flex-col items-center gap-10 p-16 text-center",
        "short:gap-4 short:px-8 short:py-6",
      ].join(" ")}
    >
      <div className="flex min-h-0 w-full flex-1 flex-col items-center gap-10 overflow-y-auto short:gap-4">
        <ScreenHeading>{t("title")}</ScreenHeading>
        <p role="status" className="text-4xl short:text-3xl">
          {t("paid", { amount: format.money(quote.total) })}
        </p>
        {customer && processed.balance ? (
          <section
            aria-labelledby="points-heading"
            className={[
              "flex w-full max-w-3xl flex-col gap-6 rounded-2xl border-2",
              "border-emerald-700 bg-emerald-50 p-10 short:gap-3 short:px-8",
              "short:py-5",
            ].join(" ")}
          >
            <h2 id="points-heading" className="text-4xl font-semibold short:text-3xl">
              {customer.firstName ? t("yourPointsNamed", { name: customer.firstName }) : t("yourPoints")}
            </h2>
            <dl className="grid grid-cols-[1fr_auto] gap-x-8 gap-y-3 text-left text-3xl short:gap-y-1 short:text-2xl">
              <dt>{t("earned")}</dt>
              <dd className="text-right font-bold">+{format.number(processed.pointsAwarded)}</dd>
              {spent > 0 && (
                <>
                  <dt>{t("spent")}</dt>
                  <dd className="text-right font-bold">−{format.number(spent)}</dd>
                </>
              )}
              <dt>{t("balance")}</dt>
              <dd className="text-right font-bold">{format.number(processed.balance.points)}</dd>
              {processed.balance.pending > 0 && (
                <>
                  <dt>{t("pending")}</dt>
                  <dd className="text-right">{format.number(processed.balance.pending)}</dd>
                </>
              )}
            </dl>
            {coupons.length > 0 && (
              <p className="text-2xl short:text-xl">
                {t("couponsUsed", { names: coupons.map((c) => c.name).join(", ") })}
              </p>
            )}
            <TierProgress customerId={customer.id} />
            <NextReward quote={quote} balance={processed.balance.points} />
          </section>
        ) : (
          <p className="text-3xl text-slate-800">{t("guest")}</p>
        )}
      </div>
      <Button
        size="xl"
        className="min-h-28 w-full max-w-3xl shrink-0 text-4xl short:min-h-20 short:text-3xl"
        onClick={onDone}
      >
        {t("done")}
      </Button>
    </main>
  );
}

/** The tier held and the gap to the next, in the unit the programme qualifies on. */
function TierProgress({ customerId }: { customerId: string }) {
  const { t } = useTranslation("receipt");
  const format = useFormat();
  const trpc = useTRPC();
  const tier = useQuery(trpc.customers.tier.queryOptions({ customerId }));
  if (!tier.data?.tiersEnabled || !tier.data.tier) return null;
  const { next, basis } = tier.data;
  const gap = next && (basis === "spend" ? format.money(next.gap) : format.number(next.gap));
  return (
    <p className="text-2xl short:text-xl">
      {t("tier", { tier: tier.data.tier.name })}{" "}
      {next ? t(`toNext.${basis}`, { count: next.gap, gap, tier: next.name }) : t("topTier")}
    </p>
  );
}

/** The cheapest catalog reward still out of reach, or the dearest one the points already pay for. */
function NextReward({ quote, balance }: { quote: Quote; balance: number }) {
  const { t } = useTranslation("receipt");
  const format = useFormat();
  const catalog = [...new Map(quote.rewards.filter((r) => r.points > 0).map((r) => [r.id, r])).values()];
  const ahead = catalog.filter((r) => r.points > balance).sort((a, b) => a.points - b.points)[0];
  const within = catalog.filter((r) => r.points <= balance).sort((a, b) => b.points - a.points)[0];
  if (within) return <p className="text-2xl short:text-xl">{t("rewardReady", { name: within.name })}</p>;
  if (ahead)
    return (
      <p className="text-2xl short:text-xl">
        {t("rewardAhead", {
          name: ahead.name,
          count: ahead.points - balance,
          formatted: format.number(ahead.points - balance),
        })}
      </p>
    );
  return null;
}
