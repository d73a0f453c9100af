import { Button, fieldErrors, type RouterOutputs, useFormat } from "@regulars/web-ui";
import { createContext, type ReactNode, useContext } from "react";
import { useTranslation } from "react-i18next";
import { TextField } from "../../ui/fields.tsx";

type VersionSummary = RouterOutputs["programme"]["versions"][number];

/** Which version(s) the page's saves change while a later version is scheduled. */
export type EditChoice = "inForceAndScheduled" | "scheduledOnly";

/** What every save sends besides its own part of the programme: when it takes effect, and for which versions. */
export type EditTarget = { effectiveFrom?: string; alsoScheduled?: boolean };

const Target = createContext<EditTarget>({});
export const EditTargetProvider = Target.Provider;
export const useEditTarget = () => useContext(Target);

/**
 * The version scheduled after the one in force, if any: the newest version, when it is not in force. The server
 * refuses a save that takes effect now while it is scheduled (the save would be made to its document), so saves
 * name either the scheduled version's time or ask for the change to be made to both.
 */
export function scheduledVersion(versions: readonly VersionSummary[] | undefined, inForce: number) {
  const newest = versions?.[0];
  return newest && !newest.inForce && newest.version > inForce ? newest : null;
}

/**
 * Whether a save was refused because the scheduled version has its own changes to what was saved: the page then
 * offers to make the change to the scheduled version only, where the form starts from that version's document.
 */
export const overwritesScheduled = (error: unknown): boolean => Boolean(fieldErrors(error).alsoScheduled);

const ChooseScheduledOnly = createContext<(() => void) | null>(null);
export const ChooseScheduledOnlyProvider = ChooseScheduledOnly.Provider;

/** Beside a save refused by `overwritesScheduled`: switches the page to editing the scheduled version only. */
export function EditScheduledOnlyButton({ error }: { error: unknown }) {
  const { t } = useTranslation("programme");
  const choose = useContext(ChooseScheduledOnly);
  if (!choose || !overwritesScheduled(error)) return null;
  return (
    <div>
      <Button tone="secondary" onClick={choose}>
        {t("schedule.editScheduledOnly")}
      </Button>
    </div>
  );
}

/** `takesEffect` is the instant the user chose (none: now); a change to only the scheduled version takes its time. */
export function editTarget(
  scheduled: VersionSummary | null,
  choice: EditChoice,
  takesEffect: string | undefined,
): EditTarget {
  if (scheduled && choice === "scheduledOnly") return { effectiveFrom: scheduled.effectiveFrom };
  return { ...(takesEffect ? { effectiveFrom: takesEffect } : {}), ...(scheduled ? { alsoScheduled: true } : {}) };
}

/** When the page's saves take effect, on the tenant's clock; empty for now. */
export function TakesEffectField({ value, onChange }: { value: string; onChange: (value: string) => void }) {
  const { t } = useTranslation("programme");
  const format = useFormat();
  return (
    <div className="mb-4 max-w-sm">
      <TextField
        label={t("schedule.takesEffect", { zone: format.timezone })}
        type="datetime-local"
        value={value}
        onChange={onChange}
        hint={t("schedule.takesEffectHint")}
      />
    </div>
  );
}

/** Says which version is scheduled and when, what a change now would mean for it, and lets the user choose. */
export function ScheduledNotice({
  inForce,
  scheduled,
  choice,
  onChoose,
  children,
}: {
  inForce: number;
  scheduled: VersionSummary;
  choice: EditChoice;
  onChoose: (choice: EditChoice) => void;
  /** What else may be done with the scheduled version (cancelling it), below the choice. */
  children?: ReactNode;
}) {
  const { t } = useTranslation("programme");
  const format = useFormat();
  const values = {
    inForce,
    version: scheduled.version,
    from: `${format.dateTime(scheduled.effectiveFrom)} (${format.timezone})`,
  };
  const choices: EditChoice[] = ["inForceAndScheduled", "scheduledOnly"];
  return (
    <section
      aria-labelledby="scheduled-version-title"
      className="mb-4 flex flex-col gap-2 rounded-md border border-amber-300 bg-amber-50 px-4 py-3 text-sm text-amber-950"
    >
      <h2 id="scheduled-version-title" className="font-semibold">
        {t("schedule.title", values)}
      </h2>
      <p>{t("schedule.explain", values)}</p>
      <fieldset className="flex flex-col gap-1">
        <legend className="mb-1 font-medium">{t("schedule.legend")}</legend>
        {choices.map((c) => (
          <label key={c} className="flex items-start gap-2">
            <input
              type="radio"
              name="programme-edit-target"
              className="mt-1 accent-emerald-700"
              checked={choice === c}
              onChange={() => onChoose(c)}
            />
            <span>{t(`schedule.${c}`, values)}</span>
          </label>
        ))}
      </fieldset>
      {children}
    </section>
  );
}
