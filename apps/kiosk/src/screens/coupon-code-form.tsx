import { Button, Field, Input } from "@regulars/web-ui";
import { type FormEvent, useId, useState } from "react";
import { useTranslation } from "react-i18next";
import { withTypedCode } from "../order/coupon-codes.ts";

/** A coupon code typed in: added to the codes when it has the shape of one, otherwise the customer is told why. */
export function CouponCodeForm({ codes, onChange }: { codes: string[]; onChange: (codes: string[]) => void }) {
  const { t } = useTranslation("checkout");
  const [typed, setTyped] = useState("");
  const [malformed, setMalformed] = useState(false);
  const problemId = useId();

  function add(e: FormEvent) {
    e.preventDefault();
    const next = withTypedCode(codes, typed);
    // Kept on screen, so the customer corrects what they typed instead of typing it all again.
    if (next === "malformed") return setMalformed(true);
    if (next.length !== codes.length) onChange(next);
    setTyped("");
  }

  return (
    <form onSubmit={add} className="flex shrink-0 flex-col gap-2">
      <div className="flex items-end gap-4">
        <div className="flex-1">
          <Field label={<span className="text-2xl">{t("typeCode")}</span>}>
            {({ id }) => (
              <Input
                id={id}
                autoComplete="off"
                spellCheck={false}
                className="min-h-16 w-full border-2 text-3xl uppercase short:min-h-14 short:text-2xl"
                aria-invalid={malformed}
                aria-describedby={malformed ? problemId : undefined}
                value={typed}
                onChange={(e) => {
                  setTyped(e.target.value);
                  setMalformed(false);
                }}
              />
            )}
          </Field>
        </div>
        <Button
          type="submit"
          tone="secondary"
          size="xl"
          className="min-h-16 border-2 text-3xl short:min-h-14 short:text-2xl"
          disabled={!typed.trim()}
        >
          {t("addCode")}
        </Button>
      </div>
      {malformed && (
        <p id={problemId} role="alert" className="text-2xl text-red-800">
          {t("codeMalformed")}
        </p>
      )}
    </form>
  );
}
