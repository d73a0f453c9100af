import { Button, Card, useFormat, useTRPC } from "@regulars/web-ui";
import { useMutation } from "@tanstack/react-query";
import { createColumnHelper } from "@tanstack/react-table";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { BenefitFields, type BenefitLabels, benefitText, benefitValue } from "../../ui/benefit-fields.tsx";
import { CheckboxField, TextField } from "../../ui/fields.tsx";
import { errorAt, errorsUnder, numberText } from "../../ui/form-values.ts";
import { useDraft } from "../../ui/use-draft.ts";
import { EntryFormEnd, entryErrors, IdAndName, useSavedThenDone } from "./entry-form.tsx";
import { redemptionDraftOf, redemptionOf } from "./redemption-draft.ts";
import { useEditTarget } from "./schedule.tsx";
import { errorsOf, type ProgrammeConfig, SaveBar, SwitchableTable, useProgrammeChanged } from "./shared.tsx";

type Reward = ProgrammeConfig["rewards"][number];
const column = createColumnHelper<Reward>();

/** What points are worth at checkout, and the catalog of rewards priced in points. */
export function RedemptionTab({ config }: { config: ProgrammeConfig }) {
  const { t } = useTranslation("programme");
  return (
    <div className="flex flex-col gap-6">
      <h2 className="text-lg font-semibold text-slate-900">{t("tabs.redemption")}</h2>
      <RedemptionForm redemption={config.redemption} />
      <RewardsList rewards={config.rewards} />
    </div>
  );
}

function RedemptionForm({ redemption }: { redemption: ProgrammeConfig["redemption"] }) {
  const { t } = useTranslation("programme");
  const format = useFormat();
  const trpc = useTRPC();
  const target = useEditTarget();
  const { draft, set } = useDraft(() => redemptionDraftOf(redemption));
  const save = useMutation(trpc.programme.redemption.set.mutationOptions({ onSuccess: useProgrammeChanged() }));
  const err = (part: string) => errorAt(errorsOf(save), `redemption.${part}`);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate({ ...target, redemption: redemptionOf(draft) });
  };
  return (
    <form noValidate onSubmit={submit} className="flex flex-col gap-3 rounded-lg border border-slate-200 bg-white p-4">
      <h3 className="font-semibold text-slate-900">{t("redemption.title")}</h3>
      <CheckboxField label={t("redemption.spendable")} checked={draft.spendable} onChange={set("spendable")} />
      {draft.spendable && (
        <div className="grid gap-3 sm:grid-cols-3">
          <TextField
            label={t("redemption.points")}
            inputMode="numeric"
            value={draft.points}
            onChange={set("points")}
            error={err("points")}
          />
          <TextField
            label={t("redemption.value")}
            inputMode="numeric"
            value={draft.value}
            onChange={set("value")}
            error={err("value")}
            hint={t("minorHint", { money: format.money(Number(draft.value) || 0) })}
          />
          <TextField
            label={t("redemption.minPoints")}
            inputMode="numeric"
            value={draft.minPoints}
            onChange={set("minPoints")}
            error={err("minPoints")}
          />
          <TextField
            label={t("redemption.step")}
            inputMode="numeric"
            value={draft.step}
            onChange={set("step")}
            error={err("step")}
          />
          <TextField
            label={t("redemption.maxDiscount")}
            inputMode="numeric"
            value={draft.maxDiscount}
            onChange={set("maxDiscount")}
            error={err("maxDiscountPerOrder")}
            hint={t("minorUnits")}
          />
        </div>
      )}
      {draft.spendable && (
        <CheckboxField
          label={t("redemption.refundReturnsPoints")}
          checked={draft.refundReturnsPoints}
          onChange={set("refundReturnsPoints")}
        />
      )}
      <SaveBar change={save} />
    </form>
  );
}

function RewardsList({ rewards }: { rewards: Reward[] }) {
  const { t } = useTranslation("programme");
  const trpc = useTRPC();
  const [editing, setEditing] = useState<Reward | "new" | null>(null);
  const disable = useMutation(trpc.programme.rewards.disable.mutationOptions({ onSuccess: useProgrammeChanged() }));
  const columns = [
    column.accessor("id", { header: t("rewards.id") }),
    column.accessor("name", { header: t("rewards.name") }),
    column.accessor("points", { header: t("rewards.points") }),
    column.accessor((r) => r.benefit.kind, {
      id: "benefit",
      header: t("common:benefit.kind"),
      cell: (c) => t(`common:benefit.kinds.${c.getValue()}`),
    }),
  ];
  return (
    <section className="flex flex-col gap-3">
      <div className="flex items-center justify-between gap-3">
        <h3 className="font-semibold text-slate-900">{t("rewards.title")}</h3>
        <Button onClick={() => setEditing("new")}>{t("rewards.add")}</Button>
      </div>
      <SwitchableTable
        list="rewards"
        caption={t("rewards.caption")}
        columns={columns}
        rows={rewards}
        onEdit={setEditing}
        disable={disable}
      />
      {editing && (
        <RewardForm
          key={editing === "new" ? "new" : editing.id}
          reward={editing === "new" ? undefined : editing}
          position={editing === "new" ? rewards.length : rewards.indexOf(editing)}
          onDone={() => setEditing(null)}
        />
      )}
    </section>
  );
}

function RewardForm({ reward, position, onDone }: { reward?: Reward; position: number; onDone: () => void }) {
  const { t } = useTranslation("programme");
  const trpc = useTRPC();
  const target = useEditTarget();
  const [id, setId] = useState(reward?.id ?? "");
  const [name, setName] = useState(reward?.name ?? "");
  const [points, setPoints] = useState(numberText(reward?.points));
  const [enabled, setEnabled] = useState(reward?.enabled ?? true);
  const [benefit, setBenefit] = useState(benefitText(reward?.benefit));
  const save = useMutation(trpc.programme.rewards.upsert.mutationOptions({ onSuccess: useSavedThenDone(onDone) }));
  const errors = entryErrors(save, "reward", "rewards", position);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const given = benefitValue(benefit);
    // The server refuses other kinds for a reward; the select offers only the three it takes.
    if (given.kind === "bonus_points" || given.kind === "wallet_cash") return;
    save.mutate({
      ...target,
      reward: { id: id.trim(), name: name.trim(), points: Number(points), enabled, benefit: given },
    });
  };
  return (
    <Card title={reward ? t("rewards.editTitle", { id: reward.id }) : t("rewards.newTitle")}>
      <form noValidate onSubmit={submit} className="flex flex-col gap-4">
        <div className="grid gap-3 sm:grid-cols-3">
          <IdAndName
            list="rewards"
            saved={!!reward}
            id={id}
            name={name}
            onId={setId}
            onName={setName}
            errors={errors}
          />
          <TextField
            label={t("rewards.points")}
            inputMode="numeric"
            value={points}
            onChange={setPoints}
            error={errorAt(errors, "points")}
          />
        </div>
        <BenefitFields
          kinds={["percent_off", "fixed_off", "free_item"]}
          labels={t("common:benefit", { returnObjects: true }) as BenefitLabels}
          value={benefit}
          onChange={setBenefit}
          errors={errorsUnder(errors, "benefit")}
        />
        <EntryFormEnd enabled={enabled} onEnabled={setEnabled} save={save} onDone={onDone} />
      </form>
    </Card>
  );
}
