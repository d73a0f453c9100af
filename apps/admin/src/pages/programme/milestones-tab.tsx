import { useTRPC } from "@regulars/web-ui";
import { useMutation } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { TextField } from "../../ui/fields.tsx";
import { commaList, errorAt, joinList } from "../../ui/form-values.ts";
import { useEditTarget } from "./schedule.tsx";
import { errorsOf, type ProgrammeConfig, SaveBar, useProgrammeChanged } from "./shared.tsx";

/** Balances announced once per upward crossing ("You've reached 100 points"), which campaigns can act on. */
export function MilestonesTab({ config }: { config: ProgrammeConfig }) {
  const { t } = useTranslation("programme");
  const trpc = useTRPC();
  const target = useEditTarget();
  const [text, setText] = useState(joinList(config.milestones));
  const save = useMutation(trpc.programme.milestones.set.mutationOptions({ onSuccess: useProgrammeChanged() }));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate({ ...target, milestones: commaList(text).map(Number) });
  };
  return (
    <form noValidate onSubmit={submit} className="flex max-w-xl flex-col gap-4">
      <h2 className="text-lg font-semibold text-slate-900">{t("tabs.milestones")}</h2>
      <p className="text-sm text-slate-700">{t("milestones.intro")}</p>
      <TextField
        label={t("milestones.points")}
        value={text}
        onChange={setText}
        error={errorAt(errorsOf(save), "milestones")}
        hint={t("milestones.hint")}
      />
      <SaveBar change={save} />
    </form>
  );
}
