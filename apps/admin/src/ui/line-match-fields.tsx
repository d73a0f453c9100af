import { errorAt } from "./form-values.ts";
import { TagField } from "./tag-input.tsx";

/** What a LineMatch names, as the tags of its three fields. */
export interface MatchText {
  skus: string[];
  categories: string[];
  tags: string[];
}

export const emptyMatch: MatchText = { skus: [], categories: [], tags: [] };

export const matchText = (m: { skus?: string[]; categories?: string[]; tags?: string[] } | undefined): MatchText => ({
  skus: [...(m?.skus ?? [])],
  categories: [...(m?.categories ?? [])],
  tags: [...(m?.tags ?? [])],
});

/** The LineMatch to send; an optional match left empty is left out. */
export function matchValue(text: MatchText, optional: true): MatchOut | undefined;
export function matchValue(text: MatchText, optional?: false): MatchOut;
export function matchValue(text: MatchText, optional = false): MatchOut | undefined {
  const m = { skus: [...text.skus], categories: [...text.categories], tags: [...text.tags] };
  if (optional && m.skus.length + m.categories.length + m.tags.length === 0) return undefined;
  return m;
}
type MatchOut = { skus: string[]; categories: string[]; tags: string[] };

/**
 * SKUs, categories and tags a rule or benefit is about, each as tags (one name per tag, so a name with a space
 * stays whole). `errors` are the server's, relative to the match: a message about the match as a whole
 * ("name at least one ...") shows at the first field.
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
        <TagField
          key={part}
          label={labels[part]}
          hint={labels.hint}
          error={errorAt(errors, part) ?? (i === 0 ? errors[""] : undefined)}
          values={value[part]}
          onChange={(tags) => onChange({ ...value, [part]: tags })}
        />
      ))}
    </fieldset>
  );
}
