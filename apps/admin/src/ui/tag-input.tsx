import { Field, Input } from "@regulars/web-ui";
import { type KeyboardEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { takeTags } from "./form-values.ts";

/**
 * A labelled list of short names (SKUs, tags, location ids) as removable tags, with a box to add more: a comma or
 * Enter ends one, and a pasted comma-separated list becomes its tags. Backspace in the empty box takes the last.
 */
export function TagField({
  label,
  hint,
  error,
  values,
  onChange,
}: {
  label: string;
  hint?: string;
  error?: string | undefined;
  values: string[];
  onChange: (values: string[]) => void;
}) {
  const { t } = useTranslation("common");
  const [typing, setTyping] = useState("");
  const take = (typed: string, finish: boolean) => {
    const next = takeTags(values, typed, finish);
    setTyping(next.typing);
    if (next.values.length !== values.length) onChange(next.values);
  };
  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === "Enter" && typing.trim()) {
      // Ends the tag being typed; the form is sent by an Enter in an empty box.
      e.preventDefault();
      take(typing, true);
    } else if (e.key === "Backspace" && typing === "" && values.length > 0) {
      onChange(values.slice(0, -1));
    }
  };

  return (
    <Field label={label} error={error} hint={hint}>
      {(ids) => (
        <div className="flex flex-col gap-1">
          {values.length > 0 && (
            <ul aria-label={label} className="flex flex-wrap gap-1">
              {values.map((value) => (
                <li
                  key={value}
                  className="inline-flex items-center gap-1 rounded-full bg-slate-100 py-0.5 pr-1 pl-2 text-sm text-slate-900"
                >
                  {value}
                  <button
                    type="button"
                    aria-label={t("removeTag", { value })}
                    className="rounded-full px-1 text-slate-700 hover:bg-slate-200 focus-visible:outline-2 focus-visible:outline-emerald-700"
                    onClick={() => onChange(values.filter((v) => v !== value))}
                  >
                    ×
                  </button>
                </li>
              ))}
            </ul>
          )}
          <Input
            id={ids.id}
            aria-describedby={ids.describedBy}
            aria-invalid={ids.invalid}
            value={typing}
            onChange={(e) => take(e.target.value, false)}
            onKeyDown={onKeyDown}
            onBlur={() => take(typing, true)}
          />
        </div>
      )}
    </Field>
  );
}
