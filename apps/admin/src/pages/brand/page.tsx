import {
  Alert,
  Button,
  Card,
  describeError,
  fieldErrors,
  PageHeader,
  type RouterOutputs,
  useTRPC,
} from "@regulars/web-ui";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { SelectField } from "../../ui/fields.tsx";
import { QueryResult } from "../../ui/query-result.tsx";
import { FrequencyCapsCard } from "./frequency-caps-form.tsx";

type Settings = RouterOutputs["tenants"]["settings"];

/** "Polski" for `pl`, in the admin's own language; the tag itself where the browser knows no name for it. */
function languageName(tag: string, uiLanguage: string): string {
  try {
    return new Intl.DisplayNames([uiLanguage], { type: "language" }).of(tag) ?? tag;
  } catch {
    return tag;
  }
}

export default function BrandPage() {
  const { t } = useTranslation("brand");
  const trpc = useTRPC();
  const settings = useQuery(trpc.tenants.settings.queryOptions());
  return (
    <>
      <PageHeader title={t("title")} />
      <QueryResult query={settings}>
        {(data) => (
          <div className="grid gap-4 lg:grid-cols-2">
            <Card title={t("brand")}>
              <dl className="grid grid-cols-[max-content_1fr] gap-x-4 gap-y-1 text-sm text-slate-900">
                <dt className="font-medium">{t("name")}</dt>
                <dd>{data.name}</dd>
                <dt className="font-medium">{t("timezone")}</dt>
                <dd>{data.timezone}</dd>
                <dt className="font-medium">{t("currency")}</dt>
                <dd>{data.currency}</dd>
              </dl>
              <p className="mt-3 text-sm text-slate-600">{t("fixed")}</p>
            </Card>
            <LanguageForm settings={data} />
            <FrequencyCapsCard />
          </div>
        )}
      </QueryResult>
    </>
  );
}

function LanguageForm({ settings }: { settings: Settings }) {
  const { t, i18n } = useTranslation("brand");
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [language, setLanguage] = useState(settings.language);
  const save = useMutation(
    trpc.tenants.setLanguage.mutationOptions({
      onSuccess: (saved) => queryClient.setQueryData(trpc.tenants.settings.queryKey(), { ...settings, ...saved }),
    }),
  );
  const errors = fieldErrors(save.error);
  // A language set from the CLI that the code has no wording for is still shown as it is.
  const choices = settings.codeLanguages.includes(settings.language)
    ? settings.codeLanguages
    : [settings.language, ...settings.codeLanguages];
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate({ language });
  };
  return (
    <Card title={t("languageCard")}>
      <form onSubmit={submit} noValidate className="flex flex-col gap-3">
        <SelectField
          label={t("language")}
          error={errors.language}
          hint={t("languageHint")}
          value={language}
          options={choices.map((tag) => ({ value: tag, label: languageName(tag, i18n.language) }))}
          onChange={setLanguage}
        />
        <div>
          <Button type="submit" disabled={save.isPending || language === settings.language}>
            {t("save")}
          </Button>
        </div>
      </form>
      <div className="mt-3" aria-live="polite">
        {save.error && !Object.keys(errors).length && <Alert>{describeError(save.error)}</Alert>}
        {save.data && !save.error && (
          <Alert tone="success">{t("saved", { language: languageName(save.data.language, i18n.language) })}</Alert>
        )}
      </div>
    </Card>
  );
}
