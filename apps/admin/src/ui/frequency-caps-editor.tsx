import type { ConsentChannel, FrequencyCap } from "@regulars/contracts";
import { Button } from "@regulars/web-ui";
import { type ReactNode, useState } from "react";
import { useTranslation } from "react-i18next";
import { hoursOf, maxWindowIn, naturalUnit, type WindowUnit, windowIn } from "./cap-window.ts";
import { NumberField, SelectField } from "./fields.tsx";

const channels: readonly ConsentChannel[] = ["push", "sms", "email"];
const units: readonly WindowUnit[] = ["days", "hours"];
/** The schema's most caps. */
const maxCaps = 10;

/**
 * A list of frequency caps (at most `max` messages on a channel, or all together, in any window of days or
 * hours), shared by the brand's caps across campaigns and a campaign's own. Caps are held as the server stores
 * them; the editor only remembers which unit each window is shown in. The server's refusals show at
 * `<path>.<index>.max|channel|windowHours`, looked up through `error`.
 */
export function FrequencyCapsEditor({
  caps,
  onChange,
  path,
  error,
  newCap,
  empty,
  actions,
}: {
  caps: readonly FrequencyCap[];
  onChange: (next: FrequencyCap[]) => void;
  path: string;
  error: (path: string) => string | undefined;
  /** A cap as it starts when added. */
  newCap: FrequencyCap;
  /** Shown while there are no caps: what having none means where the caps apply. */
  empty: ReactNode;
  /** Buttons beside "Add a cap" (the brand form's save). */
  actions?: ReactNode;
}) {
  const { t } = useTranslation("common");
  // A unit chosen or typed in stays, so "48" typed in hours does not turn into 2 days on the way; a window never
  // touched shows in the unit it reads best in.
  const [chosen, setChosen] = useState<(WindowUnit | undefined)[]>([]);
  const unitAt = (index: number) => chosen[index] ?? naturalUnit(caps[index]!.windowHours);
  const choose = (index: number, unit: WindowUnit) =>
    setChosen(Array.from({ length: caps.length }, (_, i) => (i === index ? unit : chosen[i])));
  const setCap = (index: number, cap: FrequencyCap) => onChange(caps.map((c, i) => (i === index ? cap : c)));

  return (
    <>
      {caps.length === 0 && <p className="text-sm text-slate-700">{empty}</p>}
      <ol className="flex flex-col gap-2">
        {caps.map((cap, index) => {
          const at = `${path}.${index}`;
          const unit = unitAt(index);
          return (
            // A cap's only identity is its place; its inputs are controlled, so a removal re-renders the rest right.
            <li key={index} className="flex flex-wrap items-end gap-3">
              <NumberField
                label={t("caps.max")}
                error={error(`${at}.max`)}
                required
                min={1}
                max={1_000}
                step={1}
                className="w-24"
                value={cap.max}
                onChange={(max) => setCap(index, { ...cap, max })}
              />
              <SelectField
                label={t("caps.channel")}
                error={error(`${at}.channel`)}
                value={cap.channel ?? ""}
                onChange={(channel) => {
                  const { channel: _any, ...rest } = cap;
                  setCap(index, channel ? { ...rest, channel } : rest);
                }}
                options={[
                  { value: "" as const, label: t("caps.anyChannel") },
                  ...channels.map((c) => ({ value: c, label: t(`caps.channels.${c}`) })),
                ]}
              />
              <NumberField
                label={t("caps.window")}
                error={error(`${at}.windowHours`)}
                required
                min={1}
                max={maxWindowIn(unit)}
                step={1}
                className="w-24"
                value={windowIn(cap.windowHours, unit)}
                onChange={(window) => {
                  choose(index, unit);
                  setCap(index, { ...cap, windowHours: hoursOf(window, unit) });
                }}
              />
              <SelectField
                label={t("caps.unit")}
                value={unit}
                // The number stays as typed and its unit changes: 12 days become 12 hours, as one would read it.
                onChange={(next) => {
                  choose(index, next);
                  setCap(index, { ...cap, windowHours: hoursOf(windowIn(cap.windowHours, unit), next) });
                }}
                options={units.map((u) => ({ value: u, label: t(`caps.units.${u}`) }))}
              />
              <Button
                tone="ghost"
                aria-label={t("caps.removeN", { n: index + 1 })}
                onClick={() => {
                  setChosen(chosen.filter((_, i) => i !== index));
                  onChange(caps.filter((_, i) => i !== index));
                }}
              >
                {t("caps.remove")}
              </Button>
            </li>
          );
        })}
      </ol>
      <div className="flex gap-2">
        <Button tone="secondary" disabled={caps.length >= maxCaps} onClick={() => onChange([...caps, newCap])}>
          {t("caps.add")}
        </Button>
        {actions}
      </div>
    </>
  );
}
