import { Alert, Button, Card, describeError, fieldErrors, type RouterOutputs, useTRPC } from "@regulars/web-ui";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { NumberField, SelectField } from "../../ui/fields.tsx";
import { QueryResult } from "../../ui/query-result.tsx";

type FrequencyCap = RouterOutputs["tenants"]["frequencyCaps"]["caps"][number];
type Channel = NonNullable<FrequencyCap["channel"]>;
type Unit = "hours" | "days";

/** A cap as the form holds it: the window in days when it is whole days, so a week reads as 7 days, not 168 hours. */
interface CapDraft {
  channel: Channel | "";
  max: number;
  window: number;
  unit: Unit;
}

const channels: readonly Channel[] = ["push", "sms", "email"];
/** The schema's most caps. */
const maxCaps = 10;
/** A cap as it starts when added: three messages a week on every channel, a common brand rule. */
const newCap: CapDraft = { channel: "", max: 3, window: 7, unit: "days" };

const toDraft = (cap: FrequencyCap): CapDraft => ({
  channel: cap.channel ?? "",
  max: cap.max,
  ...(cap.windowHours % 24 === 0
    ? { window: cap.windowHours / 24, unit: "days" }
    : { window: cap.windowHours, unit: "hours" }),
});
const toCap = (draft: CapDraft): FrequencyCap => ({
  ...(draft.channel ? { channel: draft.channel } : {}),
  max: draft.max,
  windowHours: draft.unit === "days" ? draft.window * 24 : draft.window,
});

/** The tenant's caps across every campaign: loaded, then edited as one list and saved whole. */
export function FrequencyCapsCard() {
  const { t } = useTranslation("brand");
  const trpc = useTRPC();
  const caps = useQuery(trpc.tenants.frequencyCaps.queryOptions());
  return (
    <Card title={t("capsCard")} className="lg:col-span-2">
      <QueryResult query={caps}>{(data) => <FrequencyCapsForm saved={data.caps} />}</QueryResult>
    </Card>
  );
}

function FrequencyCapsForm({ saved }: { saved: readonly FrequencyCap[] }) {
  const { t } = useTranslation("brand");
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [drafts, setDrafts] = useState<CapDraft[]>(() => saved.map(toDraft));
  const save = useMutation(
    trpc.tenants.setFrequencyCaps.mutationOptions({
      onSuccess: (stored) => queryClient.setQueryData(trpc.tenants.frequencyCaps.queryKey(), stored),
    }),
  );
  const errors = fieldErrors(save.error);
  const setDraft = (index: number, patch: Partial<CapDraft>) =>
    setDrafts(drafts.map((d, i) => (i === index ? { ...d, ...patch } : d)));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate({ caps: drafts.map(toCap) });
  };
  return (
    <form onSubmit={submit} noValidate className="flex flex-col gap-3">
      <p className="text-sm text-slate-700">{t("capsHint")}</p>
      {drafts.length === 0 && <p className="text-sm text-slate-700">{t("noCaps")}</p>}
      <ol className="flex flex-col gap-2">
        {drafts.map((draft, index) => {
          const path = `caps.${index}`;
          return (
            // A cap's only identity is its place; its inputs are controlled, so a removal re-renders the rest right.
            <li key={index} className="flex flex-wrap items-end gap-3">
              <NumberField
                label={t("capMax")}
                error={errors[`${path}.max`]}
                required
                min={1}
                max={1_000}
                step={1}
                className="w-24"
                value={draft.max}
                onChange={(max) => setDraft(index, { max })}
              />
              <SelectField
                label={t("capChannel")}
                error={errors[`${path}.channel`]}
                value={draft.channel}
                onChange={(channel) => setDraft(index, { channel })}
                options={[
                  { value: "" as const, label: t("anyChannel") },
                  ...channels.map((c) => ({ value: c, label: t(`channels.${c}`) })),
                ]}
              />
              <NumberField
                label={t("capWindow")}
                error={errors[`${path}.windowHours`]}
                required
                min={1}
                step={1}
                className="w-24"
                value={draft.window}
                onChange={(window) => setDraft(index, { window })}
              />
              <SelectField
                label={t("capUnit")}
                value={draft.unit}
                onChange={(unit) => setDraft(index, { unit })}
                options={(["days", "hours"] as const).map((u) => ({ value: u, label: t(`units.${u}`) }))}
              />
              <Button
                tone="ghost"
                aria-label={t("removeCapN", { n: index + 1 })}
                onClick={() => setDrafts(drafts.filter((_, i) => i !== index))}
              >
                {t("removeCap")}
              </Button>
            </li>
          );
        })}
      </ol>
      <div className="flex gap-2">
        <Button tone="secondary" disabled={drafts.length >= maxCaps} onClick={() => setDrafts([...drafts, newCap])}>
          {t("addCap")}
        </Button>
        <Button type="submit" disabled={save.isPending}>
          {t("saveCaps")}
        </Button>
      </div>
      <div aria-live="polite">
        {save.error && !Object.keys(errors).length && <Alert>{describeError(save.error)}</Alert>}
        {errors.caps && <Alert>{errors.caps}</Alert>}
        {save.data && !save.error && <Alert tone="success">{t("capsSaved")}</Alert>}
      </div>
    </form>
  );
}
