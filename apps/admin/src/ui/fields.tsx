import { Field, Input, Select } from "@regulars/web-ui";
import type { InputHTMLAttributes, ReactNode } from "react";

/** A labelled text input with its error, for the many one-value fields of settings forms. */
export function TextField({
  label,
  value,
  onChange,
  error,
  hint,
  ...rest
}: {
  label: ReactNode;
  value: string;
  onChange: (value: string) => void;
  error?: string | undefined;
  hint?: ReactNode;
} & Omit<InputHTMLAttributes<HTMLInputElement>, "value" | "onChange" | "id">) {
  return (
    <Field label={label} error={error} hint={hint}>
      {({ id, describedBy, invalid }) => (
        <Input
          id={id}
          aria-describedby={describedBy}
          aria-invalid={invalid}
          value={value}
          onChange={(e) => onChange(e.target.value)}
          {...rest}
        />
      )}
    </Field>
  );
}

/** A labelled select over fixed options. */
export function SelectField<V extends string>({
  label,
  value,
  options,
  onChange,
  error,
  hint,
  disabled,
}: {
  label: ReactNode;
  value: V;
  options: { value: V; label: string }[];
  onChange: (value: V) => void;
  error?: string | undefined;
  hint?: ReactNode;
  disabled?: boolean;
}) {
  return (
    <Field label={label} error={error} hint={hint}>
      {({ id, describedBy, invalid }) => (
        <Select
          id={id}
          aria-describedby={describedBy}
          aria-invalid={invalid}
          value={value}
          disabled={disabled}
          onChange={(e) => onChange(e.target.value as V)}
        >
          {options.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </Select>
      )}
    </Field>
  );
}

/** A checkbox labelled by the text beside it. */
export function CheckboxField({
  label,
  checked,
  onChange,
}: {
  label: ReactNode;
  checked: boolean;
  onChange: (checked: boolean) => void;
}) {
  return (
    <label className="flex items-center gap-2 text-sm text-slate-800">
      <input
        type="checkbox"
        className="h-4 w-4 accent-emerald-700 focus-visible:outline-2 focus-visible:outline-emerald-700"
        checked={checked}
        onChange={(e) => onChange(e.target.checked)}
      />
      {label}
    </label>
  );
}
