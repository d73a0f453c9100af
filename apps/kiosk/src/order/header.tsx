import { Button, useFormat, useTRPC } from "@regulars/web-ui";
import { useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import type { TillCustomer } from "./basket.ts";

/** Who is ordering (the till view only: first name, tier, points, wallet) and the way out. */
export function OrderHeader({
  tenantName,
  customer,
  onCancel,
  cancelDisabled = false,
}: {
  tenantName: string;
  customer: TillCustomer | null;
  onCancel: () => void;
  /** While paying: the order may already be on its way and cannot be taken back. */
  cancelDisabled?: boolean;
}) {
  const { t } = useTranslation();
  const format = useFormat();
  const trpc = useTRPC();
  // The till view names the tier by id; the programme's name for it reads better ("Silver", not "silver").
  const tier = useQuery(
    trpc.customers.tier.queryOptions({ customerId: customer?.id ?? "" }, { enabled: Boolean(customer?.tier) }),
  );
  return (
    <header
      className={[
        "flex shrink-0 items-center justify-between gap-6 border-b-2",
        "border-slate-200 bg-slate-50 px-10 py-6 short:gap-4 short:px-6",
        "short:py-2",
      ].join(" ")}
    >
      <p className="text-3xl font-bold short:text-2xl">{tenantName}</p>
      <section
        aria-label={t("customer.label")}
        className="flex flex-1 flex-wrap items-center justify-end gap-x-6 gap-y-2"
      >
        {customer ? (
          <>
            <p className="text-3xl font-semibold short:text-2xl">
              {t("customer.hello", { name: customer.firstName ?? t("customer.member") })}
            </p>
            {customer.tier && (
              <p className="rounded-full bg-amber-100 px-4 py-1 font-semibold text-amber-950">
                {t("customer.tier", { tier: tier.data?.tier?.name ?? customer.tier.id })}
              </p>
            )}
            <p>{t("customer.points", { formatted: format.number(customer.points.balance) })}</p>
            {customer.wallet > 0 && <p>{t("customer.wallet", { amount: format.money(customer.wallet) })}</p>}
          </>
        ) : (
          <p className="text-slate-800">{t("customer.guest")}</p>
        )}
      </section>
      <Button tone="secondary" size="xl" className="min-h-16 text-2xl" disabled={cancelDisabled} onClick={onCancel}>
        {t("cancelOrder")}
      </Button>
    </header>
  );
}
