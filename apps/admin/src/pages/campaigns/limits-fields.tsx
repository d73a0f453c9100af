import { useTranslation } from "react-i18next";
import { yearHours } from "../../ui/cap-window.ts";
import { CheckboxField, NumberField, SelectField, TextField } from "../../ui/fields.tsx";
import { FrequencyCapsEditor } from "../../ui/frequency-caps-editor.tsx";
import { defaultCap, defaultQuietHours, type LimitsDraft, type PerCustomer } from "./limits.ts";

type Errors = (path: string) => string | undefined;

/**
 * How often one customer may be reached by the campaign, how many messages across campaigns they may get in a
 * window, and the local hours nothing is sent. Constraints the browser checks before a save; the server's
 * refusals show at the field they name.
 */
export function LimitsFields({
  limits,
  error,
  onChange,
}: {
  limits: LimitsDraft;
  error: Errors;
  onChange: (next: LimitsDraft) => void;
}) {
  const { t } = useTranslation("campaigns");
  const choose = (patch: Partial<Pick<LimitsDraft, "perCustomer" | "frequencyCaps">>) =>
    onChange({ ...limits, ...patch, edited: true });
  const { perCustomer, frequencyCaps: caps, quietHours } = limits;
  const sameQuietTimes = quietHours !== null && quietHours.start === quietHours.end;

  return (
    <div className="flex flex-col gap-4">
      {!limits.edited && <p className="text-sm text-slate-700">{t("limits.suggestedNote")}</p>}
      <div className="flex flex-wrap items-end gap-3">
        <SelectField
          label={t("limits.perCustomer")}
          hint={t("limits.perCustomerHint")}
          error={error("limits.perCustomer")}
          value={perCustomer.mode}
          onChange={(mode) =>
            choose({ perCustomer: mode === "once" ? { mode } : ({ mode, minGapHours: 0 } satisfies PerCustomer) })
          }
          options={(["once", "repeatable"] as const).map((mode) => ({ value: mode, label: t(`limits.modes.${mode}`) }))}
        />
        {perCustomer.mode === "repeatable" && (
          <NumberField
            label={t("limits.minGap")}
            hint={t("limits.minGapHint")}
            error={error("limits.perCustomer.minGapHours")}
            required
            min={0}
            max={yearHours}
            step={1}
            value={perCustomer.minGapHours}
            onChange={(minGapHours) => choose({ perCustomer: { mode: "repeatable", minGapHours } })}
          />
        )}
      </div>

      <fieldset className="flex flex-col gap-2">
        <legend className="mb-1 text-sm font-medium text-slate-800">{t("limits.caps")}</legend>
        <p className="text-xs text-slate-600">{t("limits.capsHint")}</p>
        {error("limits.frequencyCaps") && (
          <p role="alert" className="text-sm text-red-700">
            {error("limits.frequencyCaps")}
          </p>
        )}
        <FrequencyCapsEditor
          caps={caps}
          onChange={(frequencyCaps) => choose({ frequencyCaps })}
          path="limits.frequencyCaps"
          error={error}
          newCap={defaultCap}
          empty={t("limits.noCaps")}
        />
      </fieldset>

      <div className="flex flex-col gap-2">
        <CheckboxField
          label={t("limits.quiet")}
          checked={quietHours !== null}
          onChange={(on) => onChange({ ...limits, quietHours: on ? defaultQuietHours : null })}
        />
        {quietHours && (
          <div className="flex flex-wrap items-end gap-3">
            <TextField
              label={t("limits.quietFrom")}
              error={error("delivery.quietHours.start")}
              type="time"
              required
              value={quietHours.start}
              onChange={(start) => onChange({ ...limits, quietHours: { ...quietHours, start } })}
            />
            <TextField
              label={t("limits.quietTo")}
              error={
                sameQuietTimes
                  ? t("limits.quietSame")
                  : (error("delivery.quietHours.end") ?? error("delivery.quietHours"))
              }
              type="time"
              required
              value={quietHours.end}
              onChange={(end) => onChange({ ...limits, quietHours: { ...quietHours, end } })}
            />
          </div>
        )}
        <p className="text-xs text-slate-600">{t("limits.quietHint")}</p>
      </div>
    </div>
  );
}
