import { useTRPC } from "@regulars/web-ui";
import { useMutation } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { SelectField, TextField } from "../../ui/fields.tsx";
import { errorAt, numberText } from "../../ui/form-values.ts";
import { useEditTarget } from "./schedule.tsx";
import { errorsOf, type ProgrammeConfig, SaveBar, useProgrammeChanged } from "./shared.tsx";

type Kind = ProgrammeConfig["expiry"]["kind"];

/** When points expire: never, N months after earning, or after N months without a purchase. */
export function ExpiryTab({ config }: { config: ProgrammeConfig }) {
  const { t } = useTranslation("programme");
  const trpc = useTRPC();
  const target = useEditTarget();
  const expiry = config.expiry;
  const [kind, setKind] = useState<Kind>(expiry.kind);
  const [months, setMonths] = useState(expiry.kind === "none" ? "12" : numberText(expiry.months));
  const [noticeDays, setNoticeDays] = useState(expiry.kind === "none" ? "14" : numberText(expiry.noticeDays));
  const save = useMutation(trpc.programme.expiry.set.mutationOptions({ onSuccess: useProgrammeChanged() }));
  const errors = errorsOf(save);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate({
      ...target,
      expiry: kind === "none" ? { kind } : { kind, months: Number(months), noticeDays: Number(noticeDays) },
    });
  };
  return (
    <form noValidate onSubmit={submit} className="flex max-w-xl flex-col gap-4">
      <h2 className="text-lg font-semibold text-slate-900">{t("tabs.expiry")}</h2>
      <SelectField
        label={t("expiry.kind")}
        value={kind}
        onChange={setKind}
        options={(["none", "after_earning", "inactivity"] as const).map((k) => ({
          value: k,
          label: t(`expiry.kinds.${k}`),
        }))}
      />
      {kind !== "none" && (
        <>
          <TextField
            label={t("expiry.months")}
            inputMode="numeric"
            value={months}
            onChange={setMonths}
            error={errorAt(errors, "expiry.months")}
          />
          <TextField
            label={t("expiry.noticeDays")}
            inputMode="numeric"
            value={noticeDays}
            onChange={setNoticeDays}
            error={errorAt(errors, "expiry.noticeDays")}
            hint={t("expiry.noticeHint")}
          />
        </>
      )}
      <SaveBar change={save} />
    </form>
  );
}
