import { type ApiFailure, Button, describeError, Field, Input, useTRPC } from "@regulars/web-ui";
import { useMutation } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import type { TillCustomer } from "../order/basket.ts";
import { e164, joinOfferFor } from "../order/enrol.ts";
import { Notice, ScreenHeading } from "../ui.tsx";
import { type EnrolmentTarget, JoinOffer } from "./join-offer.tsx";
import { Keypad } from "./keypad.tsx";
import { canScan, QrScanner } from "./qr-scanner.tsx";

type Method = "app" | "phone" | "card";
const methods: Method[] = ["app", "phone", "card"];

/** The errors a customer can fix themselves, in their words; anything else keeps the server's message. */
const knownFailures = ["not_found", "token_invalid", "token_expired", "token_used", "invalid_request"];

export function IdentifyScreen({
  enrolment,
  onIdentified,
  onGuest,
}: {
  enrolment: EnrolmentTarget;
  onIdentified: (customer: TillCustomer) => void;
  onGuest: () => void;
}) {
  const { t } = useTranslation("identify");
  const trpc = useTRPC();
  const [method, setMethod] = useState<Method>("app");
  const [value, setValue] = useState("");
  const identify = useMutation(
    trpc.customers.identify.mutationOptions({ onSuccess: (c) => onIdentified(c as TillCustomer) }),
  );

  const send = (input: { token: string } | { phone: string } | { cardNumber: string }) => identify.mutate(input);
  function submit(e: FormEvent) {
    e.preventDefault();
    const typed = value.trim();
    if (!typed) return;
    send(method === "app" ? { token: typed } : method === "phone" ? { phone: e164(typed) } : { cardNumber: typed });
  }
  const code = (identify.error as { data?: { error?: ApiFailure } } | null)?.data?.error?.code;
  // Only a phone that matched nobody, and is still the one in the field, is offered to join; if it is valid.
  const offer =
    method === "phone" ? joinOfferFor(value, identify.isError ? { code, asked: identify.variables } : null) : null;
  const joinWith = offer && "join" in offer ? offer.join : null;
  const failure = identify.error
    ? offer
      ? t(joinWith ? "failure.phoneNotFound" : "failure.phoneNotValid")
      : code && knownFailures.includes(code)
        ? t(`failure.${code}`)
        : describeError(identify.error)
    : null;

  return (
    // Scrolls on its own only when a join offer or an error makes it taller than the window.
    <main className="flex min-h-0 flex-1 flex-col gap-10 overflow-y-auto p-12 short:gap-4 short:px-8 short:py-5">
      <ScreenHeading>{t("title")}</ScreenHeading>
      <fieldset className="grid grid-cols-3 gap-4">
        <legend className="mb-4 text-3xl short:mb-2 short:text-2xl">{t("how")}</legend>
        {methods.map((m) => (
          <Button
            key={m}
            size="xl"
            tone={method === m ? "primary" : "secondary"}
            className="min-h-28 border-2 text-3xl short:min-h-20 short:text-2xl"
            aria-pressed={method === m}
            onClick={() => {
              setMethod(m);
              setValue("");
              identify.reset();
            }}
          >
            {t(`method.${m}`)}
          </Button>
        ))}
      </fieldset>

      {method === "app" && canScan() && (
        <QrScanner paused={identify.isPending || identify.isSuccess} onToken={(token) => send({ token })} />
      )}

      {/* Landscape: the keypad beside the field, so the number, Continue and the keys fit a short screen. */}
      <form onSubmit={submit} className="grid grid-cols-1 items-start gap-6 short:gap-4 landscape:grid-cols-2">
        <div className="flex flex-col gap-6 short:gap-4">
          <Field
            label={<span className="text-3xl">{t(`label.${method}`)}</span>}
            hint={<span className="text-xl">{t(`hint.${method}`)}</span>}
          >
            {({ id }) => (
              <Input
                id={id}
                key={method}
                autoFocus
                autoComplete="off"
                spellCheck={false}
                inputMode={method === "phone" ? "tel" : "text"}
                type={method === "phone" ? "tel" : "text"}
                className="min-h-20 border-2 text-4xl short:min-h-16 short:text-3xl"
                value={value}
                onChange={(e) => setValue(e.target.value)}
              />
            )}
          </Field>
          {failure && <Notice>{failure}</Notice>}
          {joinWith && (
            <JoinOffer key={joinWith} phone={joinWith} target={enrolment} onJoined={onIdentified} onGuest={onGuest} />
          )}
          <Button
            type="submit"
            size="xl"
            className="min-h-24 text-4xl short:min-h-20 short:text-3xl"
            disabled={identify.isPending || !value.trim()}
          >
            {identify.isPending ? t("checking") : t("continue")}
          </Button>
        </div>
        {method === "phone" && <Keypad value={value} onChange={setValue} />}
      </form>

      <Button
        tone="ghost"
        size="xl"
        className="mt-auto min-h-20 shrink-0 text-3xl underline short:min-h-16 short:text-2xl"
        onClick={onGuest}
      >
        {t("guest")}
      </Button>
    </main>
  );
}
