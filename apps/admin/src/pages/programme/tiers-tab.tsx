import { Button, useTRPC } from "@regulars/web-ui";
import { useMutation } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { SelectField, TextField } from "../../ui/fields.tsx";
import { errorAt, numberText, optionalNumber } from "../../ui/form-values.ts";
import { TagField } from "../../ui/tag-input.tsx";
import { useEditTarget } from "./schedule.tsx";
import { errorsOf, type ProgrammeConfig, SaveBar, useProgrammeChanged } from "./shared.tsx";

type Tiers = NonNullable<ProgrammeConfig["tiers"]>;
const bases = ["points_earned", "spend", "orders"] as const;
const windows = ["lifetime", "calendar_year", "rolling_12_months"] as const;

interface LevelDraft {
  key: number;
  id: string;
  name: string;
  threshold: string;
  earnMultiplier: string;
  discountPercent: string;
  rewardPoints: string;
  flags: string[];
}

let nextKey = 0;
const levelDraft = (l?: Tiers["levels"][number]): LevelDraft => ({
  key: nextKey++,
  id: l?.id ?? "",
  name: l?.name ?? "",
  threshold: numberText(l?.threshold ?? (l ? 0 : undefined)),
  earnMultiplier: numberText(l?.benefits.earnMultiplier),
  discountPercent: numberText(l?.benefits.discountPercent),
  rewardPoints: numberText(l?.benefits.rewardPoints),
  flags: [...(l?.benefits.flags ?? [])],
});

/** Levels, what qualifies for them and over which window; no tiers at all is a choice too. */
export function TiersTab({ config }: { config: ProgrammeConfig }) {
  const { t } = useTranslation("programme");
  const trpc = useTRPC();
  const target = useEditTarget();
  const [basis, setBasis] = useState<Tiers["basis"]>(config.tiers?.basis ?? "points_earned");
  const [window, setWindow] = useState<Tiers["window"]>(config.tiers?.window ?? "lifetime");
  const [levels, setLevels] = useState(() => (config.tiers?.levels ?? []).map(levelDraft));
  const save = useMutation(trpc.programme.tiers.set.mutationOptions({ onSuccess: useProgrammeChanged() }));
  const errors = errorsOf(save);
  const setLevel =
    <K extends keyof LevelDraft>(key: number, part: K) =>
    (value: LevelDraft[K]) =>
      setLevels((all) => all.map((l) => (l.key === key ? { ...l, [part]: value } : l)));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (levels.length === 0) return save.mutate({ ...target, tiers: null });
    save.mutate({
      ...target,
      tiers: {
        basis,
        window,
        levels: levels.map((l) => ({
          id: l.id.trim(),
          name: l.name.trim(),
          threshold: Number(l.threshold),
          benefits: {
            earnMultiplier: optionalNumber(l.earnMultiplier),
            discountPercent: optionalNumber(l.discountPercent),
            rewardPoints: optionalNumber(l.rewardPoints),
            flags: l.flags,
          },
        })),
      },
    });
  };
  return (
    <form noValidate onSubmit={submit} className="flex flex-col gap-4">
      <h2 className="text-lg font-semibold text-slate-900">{t("tabs.tiers")}</h2>
      <p className="text-sm text-slate-700">{t("tiers.intro")}</p>
      <div className="grid gap-3 sm:grid-cols-2">
        <SelectField
          label={t("tiers.basis")}
          value={basis}
          onChange={setBasis}
          options={bases.map((b) => ({ value: b, label: t(`tiers.bases.${b}`) }))}
        />
        <SelectField
          label={t("tiers.window")}
          value={window}
          onChange={setWindow}
          options={windows.map((w) => ({ value: w, label: t(`tiers.windows.${w}`) }))}
        />
      </div>
      {errors.tiers && (
        <p role="alert" className="text-sm text-red-700">
          {errors.tiers}
        </p>
      )}
      {levels.map((l, i) => {
        const err = (part: string) => errorAt(errors, `tiers.levels.${i}.${part}`);
        return (
          <fieldset key={l.key} className="grid gap-3 rounded-md border border-slate-200 bg-white p-3 sm:grid-cols-4">
            <legend className="px-1 text-sm font-medium text-slate-800">{t("tiers.level", { n: i + 1 })}</legend>
            <TextField label={t("tiers.id")} value={l.id} onChange={setLevel(l.key, "id")} error={err("id")} />
            <TextField label={t("tiers.name")} value={l.name} onChange={setLevel(l.key, "name")} error={err("name")} />
            <TextField
              label={t("tiers.threshold")}
              inputMode="numeric"
              value={l.threshold}
              onChange={setLevel(l.key, "threshold")}
              error={err("threshold")}
            />
            <TextField
              label={t("tiers.earnMultiplier")}
              inputMode="decimal"
              value={l.earnMultiplier}
              onChange={setLevel(l.key, "earnMultiplier")}
              error={err("benefits.earnMultiplier")}
            />
            <TextField
              label={t("tiers.discountPercent")}
              inputMode="decimal"
              value={l.discountPercent}
              onChange={setLevel(l.key, "discountPercent")}
              error={err("benefits.discountPercent")}
            />
            <TextField
              label={t("tiers.rewardPoints")}
              inputMode="numeric"
              value={l.rewardPoints}
              onChange={setLevel(l.key, "rewardPoints")}
              error={err("benefits.rewardPoints")}
            />
            <TagField
              label={t("tiers.flags")}
              values={l.flags}
              onChange={setLevel(l.key, "flags")}
              error={err("benefits.flags")}
              hint={t("listHint")}
            />
            <div className="flex items-end">
              <Button tone="ghost" onClick={() => setLevels((all) => all.filter((x) => x.key !== l.key))}>
                {t("tiers.remove", { n: i + 1 })}
              </Button>
            </div>
          </fieldset>
        );
      })}
      <div>
        <Button tone="secondary" onClick={() => setLevels((all) => [...all, levelDraft()])}>
          {t("tiers.add")}
        </Button>
      </div>
      {levels.length === 0 && <p className="text-sm text-slate-700">{t("tiers.none")}</p>}
      <SaveBar change={save} />
    </form>
  );
}
