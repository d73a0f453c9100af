import { Field, Input, Select, Textarea } from "@regulars/web-ui";
import type { InputHTMLAttributes, ReactNode, SelectHTMLAttributes, TextareaHTMLAttributes } from "react";

/** What ties a control to its Field: the label's target, and the error describing the control. */
const labelledBy = (ids: FieldIds) => ({
  id: ids.id,
  "aria-describedby": ids.describedBy,
  "aria-invalid": ids.invalid,
});
type FieldIds = { id: string; describedBy: string | undefined; invalid: boolean };

/** A one-value field's own props, beside its control's attributes (which it passes on). */
type OneValueProps<T, Attributes> = {
  label: ReactNode;
  value: T;
  onChange: (value: T) => void;
  error?: string | undefined;
  hint?: ReactNode;
} & Omit<Attributes, "value" | "onChange" | "id">;

/** A labelled text input with its error, for the many one-value fields of settings forms. */
export function TextField({
  label,
  value,
  onChange,
  error,
  hint,
  ...rest
}: OneValueProps<string, InputHTMLAttributes<HTMLInputElement>>) {
  return (
    <Field label={label} error={error} hint={hint}>
      {(ids) => <Input {...labelledBy(ids)} value={value} onChange={(e) => onChange(e.target.value)} {...rest} />}
    </Field>
  );
}

/** A labelled select over fixed options ("any" choices included, as an option with the value ""). */
export function SelectField<V extends string>({
  label,
  value,
  options,
  onChange,
  error,
  hint,
  ...rest
}: OneValueProps<V, SelectHTMLAttributes<HTMLSelectElement>> & { options: readonly { value: V; label: string }[] }) {
  return (
    <Field label={label} error={error} hint={hint}>
      {(ids) => (
        <Select {...labelledBy(ids)} value={value} onChange={(e) => onChange(e.target.value as V)} {...rest}>
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

/**
 * A labelled number box that hands on the number as typed: an empty or unreadable box is NaN, which is
 * sent as it is so the server names the field.
 */
export function NumberField({
  label,
  value,
  onChange,
  error,
  hint,
  className = "w-32",
  ...rest
}: OneValueProps<number, Omit<InputHTMLAttributes<HTMLInputElement>, "type">>) {
  return (
    <Field label={label} error={error} hint={hint}>
      {(ids) => (
        <Input
          {...labelledBy(ids)}
          type="number"
          className={className}
          value={Number.isFinite(value) ? value : ""}
          onChange={(e) => onChange(e.target.valueAsNumber)}
          {...rest}
        />
      )}
    </Field>
  );
}

/** A labelled multi-line text box (message bodies, SQL, one slab per line). */
export function TextareaField({
  label,
  value,
  onChange,
  error,
  hint,
  ...rest
}: OneValueProps<string, TextareaHTMLAttributes<HTMLTextAreaElement>>) {
  return (
    <Field label={label} error={error} hint={hint}>
      {(ids) => <Textarea {...labelledBy(ids)} value={value} onChange={(e) => onChange(e.target.value)} {...rest} />}
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
