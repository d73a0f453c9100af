import { Button, useTRPC } from "@regulars/web-ui";
import { useMutation } from "@tanstack/react-query";
import { createColumnHelper } from "@tanstack/react-table";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { TextField } from "../../ui/fields.tsx";
import { errorAt, numberText, optionalNumber } from "../../ui/form-values.ts";
import { RuleForm } from "./rule-form.tsx";
import { useSegmentNames } from "./rule-scope-fields.tsx";
import { useEditTarget } from "./schedule.tsx";
import { errorsOf, type ProgrammeConfig, SaveBar, SwitchableTable, useProgrammeChanged } from "./shared.tsx";

type Rule = ProgrammeConfig["rules"][number];
const column = createColumnHelper<Rule>();

/** The earning rules, and the limits over all of them: caps and the days points stay pending. */
export function RulesTab({ config }: { config: ProgrammeConfig }) {
  const { t } = useTranslation("programme");
  const trpc = useTRPC();
  const changed = useProgrammeChanged();
  const [editing, setEditing] = useState<Rule | "new" | null>(null);
  const disable = useMutation(trpc.programme.rules.disable.mutationOptions({ onSuccess: changed }));
  const segmentNames = useSegmentNames();
  const columns = [
    column.accessor("id", { header: t("rules.id") }),
    column.accessor((r) => r.name ?? "", { id: "name", header: t("rules.name") }),
    column.accessor("type", { header: t("rules.type"), cell: (c) => t(`ruleType.${c.getValue()}`) }),
    column.accessor("priority", { header: t("rules.priority") }),
    // Who a segment holds changes as it refreshes, away from this page: the list says which rules depend on one.
    column.accessor((r) => (r.segments ?? []).map((id) => segmentNames.get(id) ?? id).join(", ") || "—", {
      id: "segments",
      header: t("rules.segmentsColumn"),
    }),
  ];
  return (
    <div className="flex flex-col gap-4">
      <div className="flex items-center justify-between gap-3">
        <h2 className="text-lg font-semibold text-slate-900">{t("tabs.rules")}</h2>
        <Button onClick={() => setEditing("new")}>{t("rules.add")}</Button>
      </div>
      <SwitchableTable
        list="rules"
        caption={t("rules.caption")}
        columns={columns}
        rows={config.rules}
        onEdit={setEditing}
        disable={disable}
      />
      {editing && (
        <RuleForm
          key={editing === "new" ? "new" : editing.id}
          rule={editing === "new" ? undefined : editing}
          config={config}
          onDone={() => setEditing(null)}
        />
      )}
      <div className="grid gap-4 md:grid-cols-2">
        <CapsForm caps={config.caps} />
        <PendingDaysForm days={config.pendingDays} />
      </div>
    </div>
  );
}

function CapsForm({ caps }: { caps: ProgrammeConfig["caps"] }) {
  const { t } = useTranslation("programme");
  const trpc = useTRPC();
  const target = useEditTarget();
  const [perTransaction, setPerTransaction] = useState(numberText(caps.perTransaction));
  const [perDay, setPerDay] = useState(numberText(caps.perDay));
  const save = useMutation(trpc.programme.caps.set.mutationOptions({ onSuccess: useProgrammeChanged() }));
  const errors = errorsOf(save);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate({
      ...target,
      caps: { perTransaction: optionalNumber(perTransaction), perDay: optionalNumber(perDay) },
    });
  };
  return (
    <form noValidate onSubmit={submit} className="flex flex-col gap-3 rounded-lg border border-slate-200 bg-white p-4">
      <h3 className="font-semibold text-slate-900">{t("caps.title")}</h3>
      <TextField
        label={t("caps.perTransaction")}
        inputMode="numeric"
        value={perTransaction}
        onChange={setPerTransaction}
        error={errorAt(errors, "caps.perTransaction")}
        hint={t("caps.hint")}
      />
      <TextField
        label={t("caps.perDay")}
        inputMode="numeric"
        value={perDay}
        onChange={setPerDay}
        error={errorAt(errors, "caps.perDay")}
        hint={t("caps.hint")}
      />
      <SaveBar change={save} />
    </form>
  );
}

function PendingDaysForm({ days }: { days: number }) {
  const { t } = useTranslation("programme");
  const trpc = useTRPC();
  const target = useEditTarget();
  const [value, setValue] = useState(String(days));
  const save = useMutation(trpc.programme.pendingDays.set.mutationOptions({ onSuccess: useProgrammeChanged() }));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate({ ...target, days: Number(value) });
  };
  return (
    <form noValidate onSubmit={submit} className="flex flex-col gap-3 rounded-lg border border-slate-200 bg-white p-4">
      <h3 className="font-semibold text-slate-900">{t("pending.title")}</h3>
      <TextField
        label={t("pending.days")}
        inputMode="numeric"
        value={value}
        onChange={setValue}
        error={errorAt(errorsOf(save), "days")}
        hint={t("pending.hint")}
      />
      <SaveBar change={save} />
    </form>
  );
}
