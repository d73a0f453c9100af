import { Button, describeError, Field, Input, Spinner, useFormat, useTRPC, useTRPCClient } from "@regulars/web-ui";
import { keepPreviousData, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { type BasketItem, basketLines, type Selection, type TillCustomer } from "../order/basket.ts";
import type { OrderContext } from "../order/flow.tsx";
import { HoldRefused, postSale, reserve, SaleRejected, saleOf, waitUntilProcessed } from "../order/pay.ts";
import { Notice, ScreenHeading } from "../ui.tsx";
import { CouponOptions, PointsOption, RewardOptions } from "./checkout-options.tsx";
import { QuoteSummary } from "./quote-summary.tsx";
import type { Receipt } from "./receipt.tsx";

type Stage = "choosing" | "holding" | "posting" | "processing";
type PayFailure =
  | { kind: "refused"; issues: string[] }
  | { kind: "rejected"; code: string }
  | { kind: "failed"; message: string };

const toggled = (list: string[], item: string) =>
  list.includes(item) ? list.filter((i) => i !== item) : [...list, item];

export function CheckoutScreen({
  kiosk,
  customer,
  items,
  selection,
  onSelect,
  onBack,
  onHold,
  onPaid,
}: {
  kiosk: OrderContext;
  customer: TillCustomer | null;
  items: BasketItem[];
  selection: Selection;
  onSelect: (selection: Selection) => void;
  onBack: () => void;
  onHold: (holdId: string | null) => void;
  onPaid: (receipt: Receipt) => void;
}) {
  const { t } = useTranslation("checkout");
  const format = useFormat();
  const trpc = useTRPC();
  const client = useTRPCClient();
  const queryClient = useQueryClient();
  const [stage, setStage] = useState<Stage>("choosing");
  const [failure, setFailure] = useState<PayFailure | null>(null);
  const [typedCode, setTypedCode] = useState("");

  const request = {
    customer: customer ? { id: customer.id } : null,
    basket: {
      locationId: kiosk.device.locationId,
      channel: "kiosk" as const,
      currency: kiosk.currency,
      lines: basketLines(items),
    },
  };
  const quote = useQuery(
    trpc.checkout.quote.queryOptions({ ...request, ...selection }, { placeholderData: keepPreviousData }),
  );
  const offerPoints = quote.data
    ? quote.data.points.maxUsable || Math.max(quote.data.points.minPoints, quote.data.points.step, 1)
    : 0;
  const preview = useQuery(
    trpc.checkout.quote.queryOptions(
      { ...request, ...selection, points: offerPoints },
      { enabled: Boolean(quote.data) && selection.points === 0 },
    ),
  );

  const choose = (next: Partial<Selection>) => {
    setFailure(null);
    onSelect({ ...selection, ...next });
  };
  function addCode(e: FormEvent) {
    e.preventDefault();
    const code = typedCode.trim().toUpperCase();
    if (code && !selection.couponCodes.includes(code)) choose({ couponCodes: [...selection.couponCodes, code] });
    setTypedCode("");
  }

  async function pay() {
    if (!quote.data) return;
    setFailure(null);
    let holdId: string | null = null;
    try {
      setStage("holding");
      const reserved = await reserve(client, request, selection, quote.data);
      holdId = reserved.holdId;
      onHold(holdId);
      const sale = saleOf(request, reserved.quote, holdId);
      setStage("posting");
      await postSale(kiosk.gatewayUrl, kiosk.device.apiKey, sale);
      // The sale commits the hold now, even if the ledger refuses it later: cancelling must not void it.
      holdId = null;
      onHold(null);
      setStage("processing");
      const processed = await waitUntilProcessed(client, sale.externalId);
      // The sale moved the customer's tier standing: the receipt must not show the one read before it.
      await queryClient.invalidateQueries({ queryKey: trpc.customers.tier.queryKey() });
      onPaid({ processed, quote: reserved.quote });
    } catch (err) {
      // A hold the sale never reached would keep the points and coupon from the customer until it expires.
      if (holdId) await client.checkout.void.mutate({ holdId }).catch(() => {});
      onHold(null);
      setStage("choosing");
      await queryClient.invalidateQueries({ queryKey: trpc.checkout.quote.queryKey() });
      setFailure(
        err instanceof HoldRefused
          ? { kind: "refused", issues: err.issues.map((i) => refusedItem(i.path, i.message)) }
          : err instanceof SaleRejected
            ? { kind: "rejected", code: err.code }
            : { kind: "failed", message: describeError(err) },
      );
    }
  }

  /** "couponCodes.0" + "limit_reached: ..." → "Discounted fries: this coupon has been used up". */
  function refusedItem(path: string, message: string): string {
    const [field, index] = path.split(".");
    const code = message.split(":")[0]!;
    const name =
      field === "couponCodes"
        ? (quote.data?.coupons.filter((c) => c.selected)[Number(index)]?.name ?? selection.couponCodes[Number(index)])
        : field === "rewardIds"
          ? quote.data?.rewards.filter((r) => r.selected)[Number(index)]?.name
          : t("points");
    return `${name ?? path}: ${t(`refusal.${code}`, { defaultValue: message })}`;
  }

  if (quote.error && !quote.data) return <Notice>{describeError(quote.error)}</Notice>;
  if (!quote.data) return <Spinner label={t("pricing")} />;
  const busy = stage !== "choosing";

  return (
    <main className="flex flex-1 flex-col gap-10 p-10">
      <ScreenHeading>{t("title")}</ScreenHeading>
      <QuoteSummary quote={quote.data} items={items} />
      {customer ? (
        <>
          <CouponOptions
            quote={quote.data}
            onToggle={(code) => choose({ couponCodes: toggled(selection.couponCodes, code) })}
          />
          <RewardOptions
            quote={quote.data}
            onToggle={(id) => choose({ rewardIds: toggled(selection.rewardIds, id) })}
          />
          <PointsOption quote={quote.data} preview={preview.data} onChoose={(points) => choose({ points })} />
        </>
      ) : (
        <Notice tone="info">{t("guestHint")}</Notice>
      )}
      <form onSubmit={addCode} className="flex items-end gap-4">
        <div className="flex-1">
          <Field label={<span className="text-2xl">{t("typeCode")}</span>}>
            {({ id }) => (
              <Input
                id={id}
                autoComplete="off"
                spellCheck={false}
                className="min-h-16 w-full border-2 text-3xl uppercase"
                value={typedCode}
                onChange={(e) => setTypedCode(e.target.value)}
              />
            )}
          </Field>
        </div>
        <Button
          type="submit"
          tone="secondary"
          size="xl"
          className="min-h-16 border-2 text-3xl"
          disabled={!typedCode.trim()}
        >
          {t("addCode")}
        </Button>
      </form>

      {failure && <PayFailureNotice failure={failure} />}
      {busy && <Notice tone="info">{t(`stage.${stage}`)}</Notice>}
      <div className="mt-auto flex gap-6">
        <Button
          tone="secondary"
          size="xl"
          className="min-h-24 flex-1 border-2 text-3xl"
          disabled={busy}
          onClick={onBack}
        >
          {t("back")}
        </Button>
        <Button size="xl" className="min-h-24 flex-[2] text-4xl" disabled={busy || quote.isFetching} onClick={pay}>
          {t("pay", { amount: format.money(quote.data.total) })}
        </Button>
      </div>
    </main>
  );
}

function PayFailureNotice({ failure }: { failure: PayFailure }) {
  const { t } = useTranslation("checkout");
  if (failure.kind === "refused")
    return (
      <Notice>
        <p>{t("holdRefused")}</p>
        <ul className="mt-2 list-disc pl-8">
          {failure.issues.map((issue) => (
            <li key={issue}>{issue}</li>
          ))}
        </ul>
      </Notice>
    );
  if (failure.kind === "rejected")
    return <Notice>{t("rejected", { reason: t(`rejection.${failure.code}`, { defaultValue: failure.code }) })}</Notice>;
  return <Notice>{t("payFailed", { message: failure.message })}</Notice>;
}
