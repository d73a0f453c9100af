import { useTranslation } from "react-i18next";
import { CheckboxGroup } from "../../ui/checkbox-group.tsx";
import { TextField } from "../../ui/fields.tsx";
import { fromZonedInput, toZonedInput } from "../../ui/zoned-time.ts";

/** ISO weekdays as the conditions number them: 1 = Monday … 7 = Sunday. */
const weekdays = [
  [1, "mon"],
  [2, "tue"],
  [3, "wed"],
  [4, "thu"],
  [5, "fri"],
  [6, "sat"],
  [7, "sun"],
] as const;

/** When a coupon may be used, as typed: wall-clock times in the tenant's zone. */
export interface WhenText {
  validFrom: string;
  validTo: string;
  weekdays: number[];
  hoursFrom: string;
  hoursTo: string;
}

interface WhenIn {
  validFrom?: string | undefined;
  validTo?: string | undefined;
  weekdays?: number[] | undefined;
  hours?: { from: string; to: string } | undefined;
}

export const whenText = (c: WhenIn | undefined, zone: string): WhenText => ({
  validFrom: toZonedInput(c?.validFrom, zone),
  validTo: toZonedInput(c?.validTo, zone),
  weekdays: c?.weekdays ?? [],
  hoursFrom: c?.hours?.from ?? "",
  hoursTo: c?.hours?.to ?? "",
});

/** The conditions' calendar part; hours with one end left empty are sent so, for the server to name it. */
export const whenValue = (w: WhenText, zone: string) => ({
  validFrom: fromZonedInput(w.validFrom, zone),
  validTo: fromZonedInput(w.validTo, zone),
  weekdays: w.weekdays,
  hours: w.hoursFrom || w.hoursTo ? { from: w.hoursFrom, to: w.hoursTo } : undefined,
});

/** Validity, weekdays and hours; `err` finds the server's message for a path under `conditions`. */
export function WhenFields({
  value,
  onChange,
  err,
  zone,
}: {
  value: WhenText;
  onChange: (next: WhenText) => void;
  err: (path: string) => string | undefined;
  zone: string;
}) {
  const { t } = useTranslation("coupons");
  const set =
    <K extends keyof WhenText>(key: K) =>
    (v: WhenText[K]) =>
      onChange({ ...value, [key]: v });
  return (
    <div className="flex flex-col gap-3">
      <p className="text-sm text-slate-700">{t("form.zoneHint", { zone })}</p>
      <div className="grid gap-3 sm:grid-cols-2">
        <TextField
          label={t("form.validFrom")}
          type="datetime-local"
          value={value.validFrom}
          onChange={set("validFrom")}
          error={err("validFrom")}
        />
        <TextField
          label={t("form.validTo")}
          type="datetime-local"
          value={value.validTo}
          onChange={set("validTo")}
          error={err("validTo")}
        />
      </div>
      <CheckboxGroup
        legend={t("form.weekdays")}
        options={weekdays.map(([n, key]) => ({ value: n, label: t(`weekdays.${key}`) }))}
        value={value.weekdays}
        onChange={set("weekdays")}
        error={err("weekdays")}
      />
      <div className="grid gap-3 sm:grid-cols-2">
        <TextField
          label={t("form.hoursFrom")}
          type="time"
          value={value.hoursFrom}
          onChange={set("hoursFrom")}
          // A message about the hours as a whole shows at their first field.
          error={err("hours.from") ?? (err("hours.to") ? undefined : err("hours"))}
          hint={t("form.hoursHint")}
        />
        <TextField
          label={t("form.hoursTo")}
          type="time"
          value={value.hoursTo}
          onChange={set("hoursTo")}
          error={err("hours.to")}
        />
      </div>
    </div>
  );
}
