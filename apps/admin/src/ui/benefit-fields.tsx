import { SelectField, TextField } from "./fields.tsx";
import { errorAt, errorsUnder, numberText, optionalNumber } from "./form-values.ts";
import { LineMatchFields, type MatchText, matchText, matchValue } from "./line-match-fields.tsx";

export const benefitKinds = ["percent_off", "fixed_off", "free_item", "bonus_points", "wallet_cash"] as const;
export type BenefitKind = (typeof benefitKinds)[number];

/** What a coupon or a reward gives, as typed: every kind's fields, of which the chosen kind's are sent. */
export interface BenefitText {
  kind: BenefitKind;
  percent: string;
  maxAmount: string;
  amount: string;
  quantity: string;
  points: string;
  match: MatchText;
}

interface BenefitIn {
  kind: BenefitKind;
  percent?: number;
  maxAmount?: number | undefined;
  amount?: number;
  quantity?: number;
  points?: number;
  match?: { skus?: string[]; categories?: string[]; tags?: string[] } | undefined;
}

export const benefitText = (b?: BenefitIn): BenefitText => ({
  kind: b?.kind ?? "percent_off",
  percent: numberText(b?.percent),
  maxAmount: numberText(b?.maxAmount),
  amount: numberText(b?.amount),
  quantity: numberText(b?.quantity ?? 1),
  points: numberText(b?.points),
  match: matchText(b?.match),
});

export function benefitValue(b: BenefitText) {
  switch (b.kind) {
    case "percent_off":
      return {
        kind: b.kind,
        percent: Number(b.percent),
        maxAmount: optionalNumber(b.maxAmount),
        match: matchValue(b.match, true),
      };
    case "fixed_off":
      return { kind: b.kind, amount: Number(b.amount), match: matchValue(b.match, true) };
    case "free_item":
      return { kind: b.kind, quantity: Number(b.quantity), match: matchValue(b.match) };
    case "bonus_points":
      return { kind: b.kind, points: Number(b.points) };
    case "wallet_cash":
      return { kind: b.kind, amount: Number(b.amount) };
  }
}

/** Labels in the page's language; pages keep them under one `benefit` key of their messages. */
export interface BenefitLabels {
  legend: string;
  kind: string;
  kinds: Record<BenefitKind, string>;
  percent: string;
  maxAmount: string;
  amount: string;
  quantity: string;
  points: string;
  minorHint: string;
  match: { legend: string; optionalLegend: string; skus: string; categories: string; tags: string; hint: string };
}

/** `errors` are the server's, relative to the benefit (`percent`, `match.skus`). */
export function BenefitFields({
  kinds,
  labels,
  value,
  onChange,
  errors,
}: {
  kinds: readonly BenefitKind[];
  labels: BenefitLabels;
  value: BenefitText;
  onChange: (next: BenefitText) => void;
  errors: Record<string, string>;
}) {
  const set = (part: keyof BenefitText) => (v: string) => onChange({ ...value, [part]: v });
  const number = (part: "percent" | "maxAmount" | "amount" | "quantity" | "points", hint?: string) => (
    <TextField
      label={labels[part]}
      inputMode="decimal"
      value={value[part]}
      onChange={set(part)}
      error={errorAt(errors, part)}
      hint={hint}
    />
  );
  const kind = value.kind;
  return (
    <fieldset className="flex flex-col gap-3 rounded-md border border-slate-200 p-3">
      <legend className="px-1 text-sm font-medium text-slate-800">{labels.legend}</legend>
      <div className="grid gap-3 sm:grid-cols-3">
        <SelectField
          label={labels.kind}
          value={kind}
          onChange={(k) => onChange({ ...value, kind: k })}
          error={errors[""] ?? errors.kind}
          options={kinds.map((k) => ({ value: k, label: labels.kinds[k] }))}
        />
        {kind === "percent_off" && number("percent")}
        {kind === "percent_off" && number("maxAmount", labels.minorHint)}
        {(kind === "fixed_off" || kind === "wallet_cash") && number("amount", labels.minorHint)}
        {kind === "free_item" && number("quantity")}
        {kind === "bonus_points" && number("points")}
      </div>
      {(kind === "percent_off" || kind === "fixed_off" || kind === "free_item") && (
        <LineMatchFields
          legend={kind === "free_item" ? labels.match.legend : labels.match.optionalLegend}
          labels={labels.match}
          value={value.match}
          onChange={(match) => onChange({ ...value, match })}
          errors={errorsUnder(errors, "match")}
        />
      )}
    </fieldset>
  );
}
