import { Button, Card, useFormat, useTRPC } from "@regulars/web-ui";
import { useMutation } from "@tanstack/react-query";
import type { FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { CheckboxField, SelectField, TextareaField, TextField } from "../../ui/fields.tsx";
import { errorAt, errorsUnder } from "../../ui/form-values.ts";
import { LineMatchFields } from "../../ui/line-match-fields.tsx";
import { useDraft } from "../../ui/use-draft.ts";
import { useSavedThenDone } from "./entry-form.tsx";
import { draftOf, type Rule, ruleOf, ruleTypes } from "./rule-draft.ts";
import { RuleScopeFields } from "./rule-scope-fields.tsx";
import { useEditTarget } from "./schedule.tsx";
import { errorsOf, type ProgrammeConfig, SaveBar } from "./shared.tsx";

/** Creates a rule, or edits one (its id and type then stay: another id would be another rule). */
export function RuleForm({ rule, config, onDone }: { rule?: Rule; config: ProgrammeConfig; onDone: () => void }) {
  const { t } = useTranslation("programme");
  const format = useFormat();
  const trpc = useTRPC();
  const target = useEditTarget();
  const { draft, set } = useDraft(() => draftOf(rule, format.timezone));
  const save = useMutation(trpc.programme.rules.upsert.mutationOptions({ onSuccess: useSavedThenDone(onDone) }));
  // Input errors come as `rule.<field>`, whole-programme ones as `rules.<position>.<field>`.
  const position = rule ? config.rules.findIndex((r) => r.id === rule.id) : config.rules.length;
  const all = errorsOf(save);
  const errors = { ...errorsUnder(all, `rules.${position}`), ...errorsUnder(all, "rule") };
  const err = (path: string) => errorAt(errors, path);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate({ ...target, rule: ruleOf(draft, format.timezone) });
  };
  const weekdayName = (day: number) =>
    new Intl.DateTimeFormat(format.locale, { weekday: "long", timeZone: "UTC" }).format(Date.UTC(2024, 0, day));
  const matchLabels = {
    skus: t("match.skus"),
    categories: t("match.categories"),
    tags: t("match.tags"),
    hint: t("listHint"),
  };
  const hasMatch = ["base_rate", "per_item", "multiplier", "exclusion"].includes(draft.type);

  return (
    <Card title={rule ? t("rules.editTitle", { id: rule.id }) : t("rules.newTitle")} className="mt-4">
      <form noValidate onSubmit={submit} className="flex flex-col gap-4" aria-label={t("rules.formLabel")}>
        <div className="grid gap-3 sm:grid-cols-3">
          <TextField
            label={t("rules.id")}
            value={draft.id}
            onChange={set("id")}
            error={err("id")}
            disabled={!!rule}
            hint={t("rules.idHint")}
          />
          <TextField label={t("rules.name")} value={draft.name} onChange={set("name")} error={err("name")} />
          <SelectField
            label={t("rules.type")}
            value={draft.type}
            disabled={!!rule}
            onChange={set("type")}
            options={ruleTypes.map((type) => ({ value: type, label: t(`ruleType.${type}`) }))}
          />
        </div>
        <div className="grid gap-3 sm:grid-cols-3">
          {draft.type === "base_rate" && (
            <>
              <TextField
                label={t("rules.pointsPerUnit")}
                inputMode="numeric"
                value={draft.pointsPerUnit}
                onChange={set("pointsPerUnit")}
                error={err("pointsPerUnit")}
              />
              <TextField
                label={t("rules.unitMinor")}
                inputMode="numeric"
                value={draft.unitMinor}
                onChange={set("unitMinor")}
                error={err("unitMinor")}
                hint={t("minorHint", { money: format.money(Number(draft.unitMinor) || 0) })}
              />
            </>
          )}
          {draft.type === "per_item" && (
            <TextField
              label={t("rules.pointsPerItem")}
              inputMode="numeric"
              value={draft.pointsPerItem}
              onChange={set("pointsPerItem")}
              error={err("pointsPerItem")}
            />
          )}
          {(draft.type === "per_visit" || draft.type === "action") && (
            <TextField
              label={t("rules.points")}
              inputMode="numeric"
              value={draft.points}
              onChange={set("points")}
              error={err("points")}
            />
          )}
          {draft.type === "per_visit" && (
            <TextField
              label={t("rules.minAmount")}
              inputMode="numeric"
              value={draft.minAmount}
              onChange={set("minAmount")}
              error={err("minAmount")}
              hint={t("minorUnits")}
            />
          )}
          {draft.type === "multiplier" && (
            <TextField
              label={t("rules.factor")}
              inputMode="decimal"
              value={draft.factor}
              onChange={set("factor")}
              error={err("factor")}
            />
          )}
          {draft.type === "action" && (
            <>
              <TextField
                label={t("rules.event")}
                value={draft.event}
                onChange={set("event")}
                error={err("event")}
                hint={t("rules.eventHint")}
              />
              <SelectField
                label={t("rules.limit")}
                value={draft.limit}
                onChange={set("limit")}
                options={(["once", "per_day", "per_event"] as const).map((v) => ({
                  value: v,
                  label: t(`rules.limits.${v}`),
                }))}
              />
            </>
          )}
        </div>
        {draft.type === "slabs" && (
          <TextareaField
            label={t("rules.slabs")}
            hint={t("rules.slabsHint")}
            error={err("slabs")}
            rows={4}
            value={draft.slabs}
            onChange={set("slabs")}
          />
        )}
        {draft.type === "multiplier" && (
          <fieldset className="flex flex-wrap gap-4 rounded-md border border-slate-200 p-3">
            <legend className="px-1 text-sm font-medium text-slate-800">{t("rules.weekdays")}</legend>
            {[1, 2, 3, 4, 5, 6, 7].map((day) => (
              <CheckboxField
                key={day}
                label={weekdayName(day)}
                checked={draft.weekdays.includes(day)}
                onChange={(on) =>
                  set("weekdays")(on ? [...draft.weekdays, day].sort() : draft.weekdays.filter((w) => w !== day))
                }
              />
            ))}
            <CheckboxField label={t("rules.birthday")} checked={draft.birthday} onChange={set("birthday")} />
            <CheckboxField label={t("rules.stackable")} checked={draft.stackable} onChange={set("stackable")} />
          </fieldset>
        )}
        {hasMatch && (
          <LineMatchFields
            legend={
              draft.type === "base_rate" || draft.type === "multiplier" ? t("match.optionalLegend") : t("match.legend")
            }
            labels={matchLabels}
            value={draft.match}
            onChange={set("match")}
            errors={errorsUnder(errors, draft.type === "multiplier" ? "products" : "match")}
          />
        )}
        <div className="grid gap-3 sm:grid-cols-2">
          <TextField
            label={t("rules.priority")}
            inputMode="numeric"
            value={draft.priority}
            onChange={set("priority")}
            error={err("priority")}
            hint={t("rules.priorityHint")}
          />
          {draft.type !== "action" && (
            <TextField
              label={t("rules.minBasket")}
              inputMode="numeric"
              value={draft.minBasket}
              onChange={set("minBasket")}
              error={err("minBasket")}
              hint={t("minorUnits")}
            />
          )}
        </div>
        <RuleScopeFields
          config={config}
          value={draft}
          onChange={{
            channels: set("channels"),
            locations: set("locations"),
            tiers: set("tiers"),
            segments: set("segments"),
          }}
          err={err}
        />
        <div className="grid gap-3 sm:grid-cols-2">
          <TextField
            label={t("rules.validFrom")}
            type="datetime-local"
            value={draft.validFrom}
            onChange={set("validFrom")}
            error={err("validFrom")}
            hint={t("rules.validityHint", { zone: format.timezone })}
          />
          <TextField
            label={t("rules.validTo")}
            type="datetime-local"
            value={draft.validTo}
            onChange={set("validTo")}
            error={err("validTo")}
          />
        </div>
        <div className="flex flex-wrap gap-4">
          <CheckboxField label={t("rules.enabled")} checked={draft.enabled} onChange={set("enabled")} />
          <CheckboxField
            label={t("rules.stopProcessing")}
            checked={draft.stopProcessing}
            onChange={set("stopProcessing")}
          />
        </div>
        <SaveBar change={save}>
          <Button tone="secondary" onClick={() => onDone()}>
            {t("common:cancel")}
          </Button>
        </SaveBar>
      </form>
    </Card>
  );
}
