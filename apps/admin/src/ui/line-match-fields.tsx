import { TextField } from "./fields.tsx";
import { commaList, errorAt, joinList } from "./form-values.ts";

/** What a LineMatch names, as three comma-separated fields. */
export interface MatchText {
  skus: string;
  categories: string;
  tags: string;
}

export const emptyMatch: MatchText = { skus: "", categories: "", tags: "" };

export const matchText = (m: { skus?: string[]; categories?: string[]; tags?: string[] } | undefined): MatchText => ({
  skus: joinList(m?.skus),
  categories: joinList(m?.categories),
  tags: joinList(m?.tags),
});

/** The LineMatch to send; an optional match left empty is left out. */
export function matchValue(text: MatchText, optional: true): MatchOut | undefined;
export function matchValue(text: MatchText, optional?: false): MatchOut;
export function matchValue(text: MatchText, optional = false): MatchOut | undefined {
  const m = { skus: commaList(text.skus), categories: commaList(text.categories), tags: commaList(text.tags) };
  if (optional && m.skus.length + m.categories.length + m.tags.length === 0) return undefined;
  return m;
}
type MatchOut = { skus: string[]; categories: string[]; tags: string[] };

/**
 * SKUs, categories and tags a rule or benefit is about. `errors` are the server's, relative to the match:
 * a message about the match as a whole ("name at least one ...") shows at the first field.
 */
export function LineMatchFields({
  legend,
  labels,
  value,
  onChange,
  errors,
}: {
  legend: string;
  labels: { skus: string; categories: string; tags: string; hint: string };
  value: MatchText;
  onChange: (next: MatchText) => void;
  errors: Record<string, string>;
}) {
  const parts = ["categories", "skus", "tags"] as const;
  return (
    <fieldset className="grid gap-3 rounded-md border border-slate-200 p-3 sm:grid-cols-3">
      <legend className="px-1 text-sm font-medium text-slate-800">{legend}</legend>
      {parts.map((part, i) => (
        <TextField
          key={part}
          label={labels[part]}
          hint={labels.hint}
          error={errorAt(errors, part) ?? (i === 0 ? errors[""] : undefined)}
          value={value[part]}
          onChange={(typed) => onChange({ ...value, [part]: typed })}
        />
      ))}
    </fieldset>
  );
}
