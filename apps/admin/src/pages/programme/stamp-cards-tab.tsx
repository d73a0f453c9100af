import { Button, Card, useTRPC } from "@regulars/web-ui";
import { useMutation } from "@tanstack/react-query";
import { createColumnHelper } from "@tanstack/react-table";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { SelectField, TextField } from "../../ui/fields.tsx";
import { errorAt, errorsUnder, numberText } from "../../ui/form-values.ts";
import { LineMatchFields, matchText, matchValue } from "../../ui/line-match-fields.tsx";
import { EntryFormEnd, entryErrors, IdAndName, useSavedThenDone } from "./entry-form.tsx";
import { useEditTarget } from "./schedule.tsx";
import { type ProgrammeConfig, SwitchableTable, useProgrammeChanged } from "./shared.tsx";

type StampCard = ProgrammeConfig["stampCards"][number];
const column = createColumnHelper<StampCard>();

/** Visit-based rewards ("10th coffee free"), which run beside points. */
export function StampCardsTab({ config }: { config: ProgrammeConfig }) {
  const { t } = useTranslation("programme");
  const trpc = useTRPC();
  const [editing, setEditing] = useState<StampCard | "new" | null>(null);
  const disable = useMutation(trpc.programme.stampCards.disable.mutationOptions({ onSuccess: useProgrammeChanged() }));
  const columns = [
    column.accessor("id", { header: t("cards.id") }),
    column.accessor("name", { header: t("cards.name") }),
    column.accessor("stampsRequired", { header: t("cards.stampsRequired") }),
    column.accessor("per", { header: t("cards.per"), cell: (c) => t(`cards.pers.${c.getValue()}`) }),
  ];
  return (
    <div className="flex flex-col gap-4">
      <div className="flex items-center justify-between gap-3">
        <h2 className="text-lg font-semibold text-slate-900">{t("tabs.stampCards")}</h2>
        <Button onClick={() => setEditing("new")}>{t("cards.add")}</Button>
      </div>
      <SwitchableTable
        list="cards"
        caption={t("cards.caption")}
        columns={columns}
        rows={config.stampCards}
        onEdit={setEditing}
        disable={disable}
      />
      {editing && (
        <StampCardForm
          key={editing === "new" ? "new" : editing.id}
          card={editing === "new" ? undefined : editing}
          position={editing === "new" ? config.stampCards.length : config.stampCards.indexOf(editing)}
          onDone={() => setEditing(null)}
        />
      )}
    </div>
  );
}

function StampCardForm({ card, position, onDone }: { card?: StampCard; position: number; onDone: () => void }) {
  const { t } = useTranslation("programme");
  const trpc = useTRPC();
  const target = useEditTarget();
  const [id, setId] = useState(card?.id ?? "");
  const [name, setName] = useState(card?.name ?? "");
  const [enabled, setEnabled] = useState(card?.enabled ?? true);
  const [stampsRequired, setStampsRequired] = useState(numberText(card?.stampsRequired ?? 10));
  const [per, setPer] = useState<StampCard["per"]>(card?.per ?? "visit");
  const [minAmount, setMinAmount] = useState(numberText(card?.minAmount ?? 0));
  const [rewardPoints, setRewardPoints] = useState(numberText(card?.rewardPoints ?? 0));
  const [match, setMatch] = useState(matchText(card?.match));
  const save = useMutation(trpc.programme.stampCards.upsert.mutationOptions({ onSuccess: useSavedThenDone(onDone) }));
  const errors = entryErrors(save, "card", "stampCards", position);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate({
      ...target,
      card: {
        id: id.trim(),
        name: name.trim(),
        enabled,
        stampsRequired: Number(stampsRequired),
        per,
        minAmount: Number(minAmount),
        rewardPoints: Number(rewardPoints),
        match: matchValue(match, true),
      },
    });
  };
  return (
    <Card title={card ? t("cards.editTitle", { id: card.id }) : t("cards.newTitle")}>
      <form noValidate onSubmit={submit} className="flex flex-col gap-4">
        <div className="grid gap-3 sm:grid-cols-3">
          <IdAndName list="cards" saved={!!card} id={id} name={name} onId={setId} onName={setName} errors={errors} />
          <TextField
            label={t("cards.stampsRequired")}
            inputMode="numeric"
            value={stampsRequired}
            onChange={setStampsRequired}
            error={errorAt(errors, "stampsRequired")}
          />
          <SelectField
            label={t("cards.per")}
            value={per}
            onChange={setPer}
            options={(["visit", "item"] as const).map((p) => ({ value: p, label: t(`cards.pers.${p}`) }))}
          />
          <TextField
            label={t("cards.minAmount")}
            inputMode="numeric"
            value={minAmount}
            onChange={setMinAmount}
            error={errorAt(errors, "minAmount")}
            hint={t("minorUnits")}
          />
          <TextField
            label={t("cards.rewardPoints")}
            inputMode="numeric"
            value={rewardPoints}
            onChange={setRewardPoints}
            error={errorAt(errors, "rewardPoints")}
          />
        </div>
        <LineMatchFields
          legend={t("match.optionalLegend")}
          labels={{
            skus: t("match.skus"),
            categories: t("match.categories"),
            tags: t("match.tags"),
            hint: t("listHint"),
          }}
          value={match}
          onChange={setMatch}
          errors={errorsUnder(errors, "match")}
        />
        <EntryFormEnd enabled={enabled} onEnabled={setEnabled} save={save} onDone={onDone} />
      </form>
    </Card>
  );
}
