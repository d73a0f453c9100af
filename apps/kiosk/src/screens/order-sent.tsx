import { Button, Spinner } from "@regulars/web-ui";
import { useTranslation } from "react-i18next";
import { ScreenHeading } from "../ui.tsx";

const titles = {
  received: "sent.receivedTitle",
  receivedSlowly: "sent.receivedTitle",
  unconfirmed: "sent.unconfirmedTitle",
  notAccepted: "sent.notAcceptedTitle",
} as const;

/**
 * The order has left the kiosk (or may have): there is nothing to choose or pay any more, only to wait for the
 * points, or to go and let staff look the order up by its number. A rejected order ends here too: paying again
 * would not change the ledger's reason.
 */
export function OrderSent({
  stage,
  externalId,
  rejection,
  onDone,
}: {
  stage: "received" | "receivedSlowly" | "unconfirmed" | "notAccepted";
  externalId: string | null;
  /** The ledger's reason code, for a rejected order. */
  rejection?: string;
  onDone: () => void;
}) {
  const { t } = useTranslation("checkout");
  return (
    <main
      className={[
        "flex min-h-0 flex-1 flex-col items-center justify-center gap-10",
        "overflow-y-auto p-16 text-center short:gap-6 short:p-8",
      ].join(" ")}
    >
      <ScreenHeading>{t(titles[stage])}</ScreenHeading>
      <div className="flex flex-col items-center gap-6 text-3xl">
        {stage === "received" && <Spinner label={t("sent.confirming")} />}
        {stage === "receivedSlowly" && <p role="status">{t("sent.slow")}</p>}
        {stage === "unconfirmed" && <p role="alert">{t("sent.unconfirmed")}</p>}
        {stage === "notAccepted" && (
          <p role="alert">
            {t("sent.notAccepted", {
              reason: t(`rejection.${rejection}`, { defaultValue: rejection ?? "" }),
            })}
          </p>
        )}
        {externalId && (
          <p className="text-2xl text-slate-800">
            {t("sent.number")} <span className="font-mono font-semibold">{externalId}</span>
          </p>
        )}
      </div>
      {stage !== "received" && (
        <Button size="xl" className="min-h-24 w-full max-w-2xl shrink-0 text-3xl short:min-h-20" onClick={onDone}>
          {t("sent.done")}
        </Button>
      )}
    </main>
  );
}
