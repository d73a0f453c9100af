import {
  Button,
  describeError,
  failureStatus,
  fieldErrors,
  isRefusal,
  Spinner,
  useFormat,
  useTRPC,
  useTRPCClient,
} from "@regulars/web-ui";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useEffect, useRef } from "react";
import { useTranslation } from "react-i18next";
import {
  type BasketItem,
  basketLines,
  type Quote,
  type RefusalCode,
  type Selection,
  type TillCustomer,
} from "../order/basket.ts";
import { codesHeldByLimit, codeToRemove } from "../order/coupon-codes.ts";
import type { OrderContext } from "../order/flow.tsx";
import { fetchQuote, QuoteTimedOut, retryQuote } from "../order/quote.ts";
import { type PayFailure, type PaymentHooks, usePayment } from "../order/use-payment.ts";
import { mayChoose } from "../order/visit.ts";
import { Notice, ScreenHeading } from "../ui.tsx";
import { CouponOptions, PointsOption, RewardOptions, useRefusalText } from "./checkout-options.tsx";
import { CouponCodeForm } from "./coupon-code-form.tsx";
import { OrderSent } from "./order-sent.tsx";
import { QuoteSummary } from "./quote-summary.tsx";

const toggled = (list: string[], item: string) =>
  list.includes(item) ? list.filter((i) => i !== item) : [...list, item];

export function CheckoutScreen({
  kiosk,
  customer,
  items,
  selection,
  onSelect,
  onBack,
  onDone,
  onPointsBalance,
  payment,
}: {
  kiosk: OrderContext;
  customer: TillCustomer | null;
  items: BasketItem[];
  selection: Selection;
  onSelect: (selection: Selection) => void;
  onBack: () => void;
  /** Ends the visit once the order was sent and the customer may go. */
  onDone: () => void;
  /** The customer's points balance as the latest quote read it: another till may have spent some since sign-in. */
  onPointsBalance: (balance: number) => void;
  payment: PaymentHooks;
}) {
  const { t } = useTranslation("checkout");
  const format = useFormat();
  const trpc = useTRPC();
  const refusalText = useRefusalText();
  const { stage, failure, externalId, pay, clearFailure } = usePayment(
    { url: kiosk.gatewayUrl, apiKey: kiosk.device.apiKey },
    payment,
  );

  const request = {
    customer: customer ? { id: customer.id } : null,
    basket: {
      locationId: kiosk.device.locationId,
      channel: "kiosk" as const,
      currency: kiosk.currency,
      lines: basketLines(items),
    },
  };
  const client = useTRPCClient();
  // Through `fetchQuote`: an answer that never comes ends in `QuoteTimedOut`, as holds and sale posts do.
  const quoteOf = (input: typeof request & Selection) => ({
    queryKey: trpc.checkout.quote.queryKey(input),
    queryFn: ({ signal }: { signal: AbortSignal }) => fetchQuote(client, input, signal),
    retry: retryQuote,
  });
  const quote = useQuery({ ...quoteOf({ ...request, ...selection }), placeholderData: keepPreviousData });
  // What the last quote that priced said: a quote that fails leaves the basket on screen, so the customer can undo
  // the choice that broke it (a code the server refused) instead of losing the order.
  const priced = useRef<Quote | null>(null);
  if (quote.data) priced.current = quote.data;
  const quotedBalance = customer ? quote.data?.points.balance : undefined;
  useEffect(() => {
    if (quotedBalance !== undefined) onPointsBalance(quotedBalance);
  }, [quotedBalance, onPointsBalance]);
  const offerPoints = quote.data
    ? quote.data.points.maxUsable || Math.max(quote.data.points.minPoints, quote.data.points.step, 1)
    : 0;
  // Once the quote of this very selection is in (not the previous one kept on screen meanwhile): its points offer is
  // what the preview prices, and a preview sent beside it would reserve its coupon codes as a second try of the key's
  // (refused while the first is in flight, or past a limit the one answer would not have reached).
  const preview = useQuery({
    ...quoteOf({ ...request, ...selection, points: offerPoints }),
    enabled: Boolean(quote.data) && !quote.isPlaceholderData && selection.points === 0,
  });

  const choose = (next: Partial<Selection>) => {
    clearFailure();
    onSelect({ ...selection, ...next });
  };

  /**
   * "couponCodes.0" + "limit_reached: ..." → "Discounted fries: this coupon has been used up". The index is into
   * what the hold was sent (`sent`), which leaves out what the quote had refused already.
   */
  function refusedItem(path: string, message: string, sent: Selection): string {
    const [field, index] = path.split(".");
    const code = message.split(":")[0]! as RefusalCode;
    const couponCode = field === "couponCodes" ? sent.couponCodes[Number(index)] : undefined;
    const rewardId = field === "rewardIds" ? sent.rewardIds[Number(index)] : undefined;
    const name =
      field === "couponCodes"
        ? (quote.data?.coupons.find((c) => c.code === couponCode?.toUpperCase())?.name ?? couponCode)
        : field === "rewardIds"
          ? quote.data?.rewards.find((r) => r.id === rewardId)?.name
          : t("points");
    const reason = refusalText({ code, message }, field === "points" ? "points" : "other");
    return `${name ?? path}: ${reason}`;
  }

  if (stage === "received" || stage === "receivedSlowly" || stage === "unconfirmed" || stage === "notAccepted")
    return (
      <OrderSent
        stage={stage}
        externalId={externalId}
        rejection={failure?.kind === "rejected" ? failure.code : undefined}
        onDone={onDone}
      />
    );
  const shown = quote.data ?? priced.current;
  if (!shown && !quote.error) return <Spinner label={t("pricing")} />;
  const busy = !mayChoose(stage);
  // Only a refusal (4xx) names a code to blame; a server in trouble might list issues of its own. Codes held by the
  // unknown-code limit are all blamed: any one left would be refused the same until the limit's window passes.
  const refusedPaths = quote.error && isRefusal(quote.error) ? Object.keys(fieldErrors(quote.error)) : [];
  const codesHeld = codesHeldByLimit(failureStatus(quote.error), refusedPaths, selection.couponCodes);
  const failedCode = codesHeld ? undefined : codeToRemove(refusedPaths, selection.couponCodes);

  return (
    // What the customer may use scrolls on one side, the priced basket on the other; the total, the code field and
    // Pay stay on screen however many coupons or lines there are. Portrait stacks them, Pay at the bottom.
    <main className="flex min-h-0 flex-1 flex-col gap-8 p-10 short:gap-3 short:px-6 short:py-4">
      <ScreenHeading>{t("title")}</ScreenHeading>
      <div className="flex min-h-0 flex-1 flex-col gap-8 short:gap-4 landscape:flex-row">
        <div className="flex min-h-0 min-w-0 flex-1 flex-col gap-6 short:gap-3">
          <div className="flex min-h-0 flex-1 flex-col gap-8 overflow-y-auto short:gap-4">
            {shown && (
              // A guest sees the codes they typed too: one that does not apply says why and can be removed.
              <CouponOptions
                quote={shown}
                onToggle={(code) => choose({ couponCodes: toggled(selection.couponCodes, code) })}
              />
            )}
            {!customer ? (
              <Notice tone="info">{t("guestHint")}</Notice>
            ) : (
              shown && (
                <>
                  <RewardOptions
                    quote={shown}
                    onToggle={(id) => choose({ rewardIds: toggled(selection.rewardIds, id) })}
                  />
                  <PointsOption quote={shown} preview={preview.data} onChoose={(points) => choose({ points })} />
                </>
              )
            )}
          </div>
          <CouponCodeForm codes={selection.couponCodes} onChange={(couponCodes) => choose({ couponCodes })} />
        </div>
        <div className="flex min-h-0 flex-col gap-6 short:gap-3 portrait:max-h-[55%] landscape:w-[44%]">
          {shown && <QuoteSummary quote={shown} items={items} />}
          {quote.error !== null && (
            <Notice>
              {quote.error instanceof QuoteTimedOut ? (
                <p>{t("quoteTimedOut")}</p>
              ) : (
                <>
                  <p>
                    {codesHeld
                      ? t("codesHeld")
                      : failedCode
                        ? t("quoteFailedWithCode", { code: failedCode })
                        : t("quoteFailed")}
                  </p>
                  <p className="text-xl">{describeError(quote.error)}</p>
                </>
              )}
              <div className="mt-4 flex flex-wrap gap-4">
                {failedCode && (
                  <Button
                    size="xl"
                    className="min-h-16 text-2xl"
                    onClick={() => choose({ couponCodes: selection.couponCodes.filter((c) => c !== failedCode) })}
                  >
                    {t("removeCode", { code: failedCode })}
                  </Button>
                )}
                {codesHeld && (
                  <Button size="xl" className="min-h-16 text-2xl" onClick={() => choose({ couponCodes: [] })}>
                    {t("continueWithoutCodes")}
                  </Button>
                )}
                <Button
                  tone="secondary"
                  size="xl"
                  className="min-h-16 border-2 text-2xl"
                  onClick={() => quote.refetch()}
                >
                  {t("retry")}
                </Button>
              </div>
            </Notice>
          )}
          {failure && <PayFailureNotice failure={failure} describe={refusedItem} />}
          {busy && <Notice tone="info">{t(`stage.${stage}`)}</Notice>}
          <div className="mt-auto flex shrink-0 gap-6 short:gap-3">
            <Button
              tone="secondary"
              size="xl"
              className="min-h-24 flex-1 border-2 text-3xl short:min-h-20 short:px-4 short:text-2xl"
              disabled={busy}
              onClick={onBack}
            >
              {t("back")}
            </Button>
            {quote.data && (
              <Button
                size="xl"
                className="min-h-24 flex-[2] text-4xl short:min-h-20 short:px-4 short:text-3xl"
                disabled={busy || quote.isFetching}
                onClick={() => quote.data && void pay(request, selection, quote.data)}
              >
                {t("pay", { amount: format.money(quote.data.total) })}
              </Button>
            )}
          </div>
        </div>
      </div>
    </main>
  );
}

function PayFailureNotice({
  failure,
  describe,
}: {
  failure: PayFailure;
  describe: (path: string, message: string, sent: Selection) => string;
}) {
  const { t } = useTranslation("checkout");
  const format = useFormat();
  if (failure.kind === "priceChanged")
    return <Notice>{t("priceChanged", { amount: format.money(failure.total) })}</Notice>;
  if (failure.kind === "refused")
    return (
      <Notice>
        <p>{t("holdRefused")}</p>
        <ul className="mt-2 list-disc pl-8">
          {failure.issues.map((issue) => (
            <li key={issue.path}>{describe(issue.path, issue.message, failure.sent)}</li>
          ))}
        </ul>
      </Notice>
    );
  if (failure.kind === "holdTimedOut") return <Notice>{t("holdTimedOut")}</Notice>;
  if (failure.kind === "rejected") return null;
  return <Notice>{t("payFailed", { message: failure.message })}</Notice>;
}
