import type { FrequencyCap } from "@regulars/contracts";
import { Alert, Button, Card, describeError, fieldErrors, useTRPC } from "@regulars/web-ui";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { FrequencyCapsEditor } from "../../ui/frequency-caps-editor.tsx";
import { QueryResult } from "../../ui/query-result.tsx";

/** A cap as it starts when added: three messages a week on every channel, a common brand rule. */
const newCap: FrequencyCap = { max: 3, windowHours: 24 * 7 };

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
  const [caps, setCaps] = useState<FrequencyCap[]>(() => [...saved]);
  const save = useMutation(
    trpc.tenants.setFrequencyCaps.mutationOptions({
      onSuccess: (stored) => queryClient.setQueryData(trpc.tenants.frequencyCaps.queryKey(), stored),
    }),
  );
  const errors = fieldErrors(save.error);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate({ caps });
  };
  return (
    <form onSubmit={submit} noValidate className="flex flex-col gap-3">
      <p className="text-sm text-slate-700">{t("capsHint")}</p>
      <FrequencyCapsEditor
        caps={caps}
        onChange={setCaps}
        path="caps"
        error={(path) => errors[path]}
        newCap={newCap}
        empty={t("noCaps")}
        actions={
          <Button type="submit" disabled={save.isPending}>
            {t("saveCaps")}
          </Button>
        }
      />
      <div aria-live="polite">
        {save.error && !Object.keys(errors).length && <Alert>{describeError(save.error)}</Alert>}
        {errors.caps && <Alert>{errors.caps}</Alert>}
        {save.data && !save.error && <Alert tone="success">{t("capsSaved")}</Alert>}
      </div>
    </form>
  );
}
