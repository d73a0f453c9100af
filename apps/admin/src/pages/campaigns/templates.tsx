import {
  Alert,
  Badge,
  Button,
  Card,
  describeError,
  fieldErrors,
  PageHeader,
  type RouterInputs,
  type RouterOutputs,
  useFormat,
  useTRPC,
} from "@regulars/web-ui";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { createColumnHelper } from "@tanstack/react-table";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useNavigate, useParams } from "react-router";
import { DataTable } from "../../ui/data-table.tsx";
import { SelectField, TextareaField, TextField } from "../../ui/fields.tsx";
import { ItemLink } from "../../ui/item-link.tsx";
import { NewOrLoaded, QueryResult } from "../../ui/query-result.tsx";
import { linkButton } from "./list.tsx";
import { TemplatePreview } from "./template-preview.tsx";

type Template = RouterOutputs["templates"]["get"];
type Channel = Template["channel"];
type Variant = Template["variants"][number];
/** A body is sent as its lines: no string the API takes may hold a line break. */
const asSent = (variants: Variant[]): RouterInputs["templates"]["create"]["variants"] =>
  variants.map((v) => ({ ...v, body: v.body.split("\n") }));
const column = createColumnHelper<RouterOutputs["templates"]["list"][number]>();

export function TemplateList() {
  const { t } = useTranslation("campaigns");
  const format = useFormat();
  const trpc = useTRPC();
  const templates = useQuery(trpc.templates.list.queryOptions());
  return (
    <>
      <PageHeader
        title={t("tpl.title")}
        actions={
          <Link to="new" className={`${linkButton} bg-emerald-700 text-white hover:bg-emerald-800`}>
            {t("tpl.new")}
          </Link>
        }
      />
      <p className="mb-4">
        <Link to="/campaigns" className="text-sm text-emerald-800 underline">
          {t("back")}
        </Link>
      </p>
      <QueryResult query={templates}>
        {(data) => (
          <DataTable
            caption={t("tpl.caption")}
            rows={data}
            empty={t("tpl.empty")}
            columns={[
              column.accessor("name", {
                header: t("name"),
                cell: (c) => <ItemLink to={c.row.original.id}>{c.getValue()}</ItemLink>,
              }),
              column.accessor("channel", {
                header: t("channel"),
                cell: (c) => <Badge>{t(`channels.${c.getValue()}`)}</Badge>,
              }),
              column.accessor("variants", {
                header: t("tpl.languages"),
                cell: (c) =>
                  c
                    .getValue()
                    .map((v: { language: string }) => v.language)
                    .join(", "),
              }),
              column.accessor("version", { header: t("version") }),
              column.accessor("updatedAt", { header: t("updatedAt"), cell: (c) => format.dateTime(c.getValue()) }),
            ]}
          />
        )}
      </QueryResult>
    </>
  );
}

export function TemplateEditorPage() {
  const { id } = useParams();
  const trpc = useTRPC();
  const template = useQuery({ ...trpc.templates.get.queryOptions({ id: id ?? "" }), enabled: Boolean(id) });
  return (
    <NewOrLoaded id={id} query={template}>
      {(loaded) => <TemplateEditor key={loaded?.version} template={loaded} />}
    </NewOrLoaded>
  );
}

const blankVariant = (channel: Channel, language: string): Variant =>
  channel === "email"
    ? { channel, language, subject: "", format: "text", body: "" }
    : channel === "sms"
      ? { channel, language, body: "" }
      : { channel, language, title: "", body: "" };

/** A template's name and one variant per language; once saved, a preview with a real customer beside it. */
function TemplateEditor({ template }: { template: Template | null }) {
  const { t } = useTranslation("campaigns");
  const navigate = useNavigate();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [name, setName] = useState(template?.name ?? "");
  const [channel, setChannel] = useState<Channel>(template?.channel ?? "push");
  const [variants, setVariants] = useState<Variant[]>(template?.variants ?? [blankVariant("push", "en")]);
  const onSaved = async (saved: { id: string }) => {
    await queryClient.invalidateQueries({ queryKey: trpc.templates.pathKey() });
    void navigate(`/campaigns/templates/${saved.id}`);
  };
  const create = useMutation(trpc.templates.create.mutationOptions({ onSuccess: onSaved }));
  const update = useMutation(trpc.templates.update.mutationOptions({ onSuccess: onSaved }));
  const failure = create.error ?? update.error;
  const errors = fieldErrors(failure);
  const setVariant = (index: number, patch: Partial<Variant>) =>
    setVariants(variants.map((v, i) => (i === index ? ({ ...v, ...patch } as Variant) : v)));

  const text = (index: number, field: "subject" | "title" | "body" | "url", value: string, long = false) => {
    const props = {
      label: t(`tpl.fields.${field}`),
      // A line the API refuses is named by its number (`variants.0.body.3`): shown under the body.
      error:
        errors[`variants.${index}.${field}`] ??
        Object.entries(errors).find(([path]) => path.startsWith(`variants.${index}.${field}.`))?.[1],
      value,
      onChange: (typed: string) => setVariant(index, { [field]: typed }),
    };
    return long ? <TextareaField {...props} rows={5} /> : <TextField {...props} />;
  };

  return (
    <>
      <PageHeader title={template ? t("tpl.editTitle", { name: template.name }) : t("tpl.newTitle")} />
      <p className="mb-4">
        <Link to="/campaigns/templates" className="text-sm text-emerald-800 underline">
          {t("tpl.back")}
        </Link>
      </p>
      <div className="grid gap-4 lg:grid-cols-2">
        <form
          className="flex flex-col gap-4"
          onSubmit={(e) => {
            e.preventDefault();
            if (template) update.mutate({ id: template.id, name, variants: asSent(variants) });
            else create.mutate({ name, channel, variants: asSent(variants) });
          }}
        >
          <TextField label={t("name")} error={errors.name} value={name} onChange={setName} />
          <SelectField
            label={t("channel")}
            hint={template ? t("tpl.channelFixed") : undefined}
            value={channel}
            disabled={Boolean(template)}
            onChange={(next) => {
              setChannel(next);
              setVariants(variants.map((v) => blankVariant(next, v.language)));
            }}
            options={(["push", "sms", "email"] as const).map((c) => ({ value: c, label: t(`channels.${c}`) }))}
          />
          <p className="text-sm text-slate-700">
            {t("tpl.variablesHint", { example: "{{ customer.first_name }}, {{ points.balance }}, {{ coupon.code }}" })}
          </p>
          {variants.map((v, index) => (
            // Variants are told apart by position: a language may be retyped, and none is added in between.
            <Card key={index} title={t("tpl.variantN", { n: index + 1 })}>
              <div className="flex flex-col gap-3">
                <TextField
                  label={t("tpl.language")}
                  hint={t("tpl.languageHint")}
                  error={errors[`variants.${index}.language`]}
                  className="w-32"
                  value={v.language}
                  onChange={(language) => setVariant(index, { language })}
                />
                {v.channel === "email" && text(index, "subject", v.subject)}
                {v.channel === "push" && text(index, "title", v.title)}
                {text(index, "body", v.body, true)}
                {v.channel === "push" && text(index, "url", v.url ?? "")}
                {variants.length > 1 && (
                  <div>
                    <Button tone="ghost" onClick={() => setVariants(variants.filter((_, i) => i !== index))}>
                      {t("tpl.removeVariant")}
                    </Button>
                  </div>
                )}
              </div>
            </Card>
          ))}
          <div className="flex gap-2">
            <Button tone="secondary" onClick={() => setVariants([...variants, blankVariant(channel, "pl")])}>
              {t("tpl.addVariant")}
            </Button>
            <Button type="submit" disabled={create.isPending || update.isPending}>
              {t("common:save")}
            </Button>
          </div>
          {failure && <Alert>{describeError(failure)}</Alert>}
        </form>
        {template ? (
          <TemplatePreview templateId={template.id} languages={template.variants.map((v) => v.language)} />
        ) : (
          <p className="text-sm text-slate-700">{t("tpl.previewAfterSave")}</p>
        )}
      </div>
    </>
  );
}
