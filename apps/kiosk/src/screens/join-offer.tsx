import { Button, describeError, useTRPCClient } from "@regulars/web-ui";
import { useMutation } from "@tanstack/react-query";
import { useEffect, useId, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import type { TillCustomer } from "../order/basket.ts";
import { EnrolmentFailed, enrolAtKiosk, enrolmentOf } from "../order/enrol.ts";
import { API_CALL_TIMEOUT_MS } from "../order/sending.ts";
import { Notice } from "../ui.tsx";

/** Where enrolments go: the gateway, with the kiosk's key, for the store the kiosk stands in. */
export interface EnrolmentTarget {
  gatewayUrl: string;
  apiKey: string;
  locationId: string;
}

/** The failures a customer can act on, in their words; anything else keeps the server's message. */
const knownFailures = ["not_found", "invalid_request", "rate_limited", "unavailable", "unreachable"];

/**
 * Offered when a phone number matched nobody: join with it (SMS offers only if the box is ticked: consent is
 * never assumed) and carry on as the new member, or order as a guest.
 */
export function JoinOffer({
  phone,
  target,
  onJoined,
  onGuest,
}: {
  phone: string;
  target: EnrolmentTarget;
  onJoined: (customer: TillCustomer) => void;
  onGuest: () => void;
}) {
  const { t } = useTranslation("identify");
  const client = useTRPCClient();
  const headingId = useId();
  const heading = useRef<HTMLHeadingElement>(null);
  const [textMeOffers, setTextMeOffers] = useState(false);
  const join = useMutation({
    mutationFn: async (sms: boolean) => {
      const { customerId } = await enrolAtKiosk(
        target.gatewayUrl,
        target.apiKey,
        enrolmentOf(phone, target.locationId, sms),
      );
      const view = await client.customers.get.query(
        { id: customerId },
        { signal: AbortSignal.timeout(API_CALL_TIMEOUT_MS) },
      );
      return view as TillCustomer;
    },
  });
  // The offer appears below the field after a look-up: screen readers and keyboards are taken to it.
  useEffect(() => heading.current?.focus(), []);

  const failure = join.error
    ? join.error instanceof EnrolmentFailed && knownFailures.includes(join.error.failure.code)
      ? t(`joinFailure.${join.error.failure.code}`)
      : describeError(join.error instanceof EnrolmentFailed ? join.error.failure : join.error)
    : null;

  return (
    <section aria-labelledby={headingId} className="flex flex-col gap-6 rounded-2xl border-2 border-sky-700 p-8">
      <h2 id={headingId} ref={heading} tabIndex={-1} className="text-4xl font-bold">
        {t("join.title")}
      </h2>
      <p className="text-2xl">{t("join.intro", { phone })}</p>
      <label className="flex min-h-20 cursor-pointer items-center gap-6 rounded-xl border-2 border-slate-400 px-6 text-3xl">
        <input
          type="checkbox"
          className="size-10 shrink-0 accent-sky-700"
          checked={textMeOffers}
          onChange={(e) => setTextMeOffers(e.target.checked)}
          // The offer sits inside the phone form: Enter on the box must not look the number up again.
          onKeyDown={(e) => e.key === "Enter" && e.preventDefault()}
        />
        {t("join.sms")}
      </label>
      <p className="text-xl">{t("join.smsHint")}</p>
      {failure && <Notice>{failure}</Notice>}
      <Button
        size="xl"
        className="min-h-24 text-4xl"
        disabled={join.isPending}
        // Per call, not per mutation: an answer arriving after the kiosk was cleared reaches nobody.
        onClick={() => join.mutate(textMeOffers, { onSuccess: onJoined })}
      >
        {join.isPending ? t("join.joining") : t("join.join")}
      </Button>
      <Button tone="secondary" size="xl" className="min-h-20 border-2 text-3xl" onClick={onGuest}>
        {t("join.guest")}
      </Button>
    </section>
  );
}
