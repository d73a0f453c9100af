import { useId } from "react";
import { CheckboxField } from "./fields.tsx";

/**
 * A list to pick from as ticked boxes under a legend (channels, weekdays, tiers), with the server's message
 * about the list below them; the group is described by it, so a screen reader hears why it was refused.
 */
export function CheckboxGroup<V extends string | number>({
  legend,
  options,
  value,
  onChange,
  error,
  hint,
}: {
  legend: string;
  options: readonly { value: V; label: string }[];
  value: readonly V[];
  onChange: (next: V[]) => void;
  error?: string | undefined;
  hint?: string | undefined;
}) {
  const id = useId();
  const noteId = `${id}-note`;
  const note = error ?? hint;
  return (
    <fieldset
      className={`flex flex-col gap-2 rounded-md border p-3 ${error ? "border-red-600" : "border-slate-200"}`}
      aria-describedby={note ? noteId : undefined}
    >
      <legend className="px-1 text-sm font-medium text-slate-800">{legend}</legend>
      <div className="flex flex-wrap gap-x-4 gap-y-2">
        {options.map((o) => (
          <CheckboxField
            key={o.value}
            label={o.label}
            checked={value.includes(o.value)}
            // Kept in the options' order, so the value sent does not depend on the order of the clicks.
            onChange={(on) =>
              onChange(options.map((x) => x.value).filter((v) => (v === o.value ? on : value.includes(v))))
            }
          />
        ))}
      </div>
      {note && (
        <p
          id={noteId}
          role={error ? "alert" : undefined}
          className={error ? "text-sm text-red-700" : "text-xs text-slate-600"}
        >
          {note}
        </p>
      )}
    </fieldset>
  );
}
