import type { SegmentWindow } from "@regulars/contracts";
import { fromMinor, toMinor, useFormat } from "@regulars/web-ui";
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { NumberField, SelectField, TextField } from "../../ui/fields.tsx";
import { TagField } from "../../ui/tag-input.tsx";
import { type Condition, type ConditionType, conditionDefaults, conditionTypes } from "./definition.ts";
import { maxWindowDays, windowChoice, windowChoices, windowValue } from "./window.ts";

const ops = ["gte", "gt", "eq", "neq", "lte", "lt"] as const;

/**
 * One condition's controls: its kind, then the fields that kind has. Each control is labelled and shows
 * the server's message for its own path (`definition.all.0.value`).
 */
export function ConditionEditor({
  condition,
  path,
  errors,
  autoFocus,
  onChange,
}: {
  condition: Condition;
  path: string;
  errors: Record<string, string>;
  /** A condition just added: focus goes to its kind, so the keyboard carries on where the new row is. */
  autoFocus?: boolean;
  onChange: (next: Condition) => void;
}) {
  const { t } = useTranslation("segments");
  const format = useFormat();
  const set = (patch: Partial<Condition>) => onChange({ ...condition, ...patch } as Condition);
  const error = (field: string) => errors[`${path}.${field}`];
  const c = condition;

  const select = <V extends string>(
    field: string,
    value: V,
    options: readonly V[],
    label: string,
    prefix: string,
    toValue: (v: V) => unknown = (v) => v,
  ) => (
    <SelectField
      label={label}
      error={error(field)}
      value={value}
      onChange={(v) => set({ [field]: toValue(v) } as Partial<Condition>)}
      options={options.map((o) => ({ value: o, label: t(`${prefix}.${o}` as never) }))}
    />
  );
  const number = (field: string, value: number, label: string, toValue = (n: number) => n, shown = value) => (
    <NumberField
      label={label}
      error={error(field)}
      value={shown}
      onChange={(n) => set({ [field]: toValue(n) } as Partial<Condition>)}
    />
  );
  const text = (field: string, value: string, label: string) => (
    <TextField
      label={label}
      error={error(field)}
      value={value}
      onChange={(v) => set({ [field]: v } as Partial<Condition>)}
    />
  );
  const list = (field: string, values: string[], label: string) => (
    <TagField
      label={label}
      hint={t("listHint")}
      error={error(field)}
      values={values}
      onChange={(v) => set({ [field]: v } as Partial<Condition>)}
    />
  );
  const window = (value: SegmentWindow) => {
    const { choice, days } = windowChoice(value);
    const custom = choice === "custom";
    return (
      <>
        <SelectField
          label={t("window")}
          // A refused `{ lastDays }` may be reported on the window itself: the days box is what to fix then.
          error={custom ? undefined : error("window")}
          value={choice}
          onChange={(next) => set({ window: windowValue(next, days) } as Partial<Condition>)}
          options={windowChoices.map((o) => ({ value: o, label: t(`windows.${o}`) }))}
        />
        {custom && (
          <NumberField
            label={t("windowDays")}
            error={error("window.lastDays") ?? error("window")}
            value={days}
            min={1}
            max={maxWindowDays}
            onChange={(n) => set({ window: windowValue("custom", n) } as Partial<Condition>)}
          />
        )}
      </>
    );
  };
  const op = (value: string) => select("op", value as (typeof ops)[number], ops, t("op"), "ops");
  // Typed in the tenant's currency as people read it (JP¥1000, €12.50); stored in its minor units.
  const money = (field: string, value: number) =>
    number(
      field,
      value,
      t("amount", { currency: format.currency }),
      (n) => toMinor(n, format.currency),
      fromMinor(value, format.currency),
    );

  let fields: ReactNode;
  switch (c.type) {
    case "orders_count":
      fields = (
        <>
          {window(c.window)}
          {op(c.op)}
          {number("value", c.value, t("orders"))}
        </>
      );
      break;
    case "order_value":
      fields = (
        <>
          {window(c.window)}
          {op(c.op)}
          {money("value", c.value)}
        </>
      );
      break;
    case "average_ticket":
      fields = (
        <>
          {op(c.op)}
          {money("value", c.value)}
        </>
      );
      break;
    case "last_order":
      fields = (
        <>
          {select("op", c.op, ["more_than_days_ago", "less_than_days_ago"] as const, t("when"), "lastOrderOps")}
          {number("days", c.days, t("days"))}
        </>
      );
      break;
    case "tag_affinity":
      fields = (
        <>
          {text("tag", c.tag, t("tag"))}
          {op(c.op)}
          {number("value", c.value, t("share"), (n) => n / 100, Math.round(c.value * 10_000) / 100)}
        </>
      );
      break;
    case "bought":
      fields = (
        <>
          {select("by", c.by, ["sku", "tag", "category"] as const, t("by"), "byKinds")}
          {list("values", c.values, t("values"))}
          {window(c.window)}
        </>
      );
      break;
    case "visited_locations":
      fields = (
        <>
          {list("locationIds", c.locationIds, t("locations"))}
          {window(c.window)}
          {op(c.op ?? "gte")}
          {number("value", c.value ?? 1, t("visits"))}
        </>
      );
      break;
    case "event_count":
      fields = (
        <>
          {select("source", c.source, ["behavioural", "loyalty"] as const, t("source"), "sources")}
          {text("eventType", c.eventType, t("eventType"))}
          {window(c.window)}
          {op(c.op)}
          {number("value", c.value, t("events"))}
        </>
      );
      break;
    case "tier_in":
      fields = list("tiers", c.tiers, t("tiers"));
      break;
    case "consent_granted":
      fields = (
        <>
          {select("channel", c.channel, ["push", "sms", "email"] as const, t("channel"), "channels")}
          {select("purpose", c.purpose, ["marketing", "profiling"] as const, t("purpose"), "purposes")}
        </>
      );
      break;
    case "birthday_within":
      fields = number("days", c.days, t("daysAhead"));
      break;
    case "has_field":
      fields = (
        <>
          {select("field", c.field, ["email", "phone", "date_of_birth"] as const, t("field"), "fields")}
          {select(
            "present",
            c.present === false ? "no" : "yes",
            ["yes", "no"] as const,
            t("present"),
            "presence",
            (v) => v === "yes",
          )}
        </>
      );
      break;
    case "registered_within":
      fields = number("days", c.days, t("days"));
      break;
  }
  return (
    <div className="flex flex-1 flex-wrap items-end gap-3">
      <SelectField
        label={t("conditionKind")}
        error={error("type")}
        autoFocus={autoFocus}
        value={c.type}
        onChange={(type: ConditionType) => onChange(structuredClone(conditionDefaults[type]) as Condition)}
        options={conditionTypes.map((type) => ({ value: type, label: t(`kinds.${type}`) }))}
      />
      {fields}
    </div>
  );
}
