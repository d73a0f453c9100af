import { Badge, Card, PageHeader, type RouterOutputs, useFormat, useTRPC } from "@regulars/web-ui";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { createColumnHelper } from "@tanstack/react-table";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { DataTable } from "../../ui/data-table.tsx";
import { OneTimeSecret } from "../../ui/one-time-secret.tsx";
import { QueryResult } from "../../ui/query-result.tsx";
import { EndpointForm } from "./endpoint-form.tsx";

type Endpoint = RouterOutputs["webhooks"]["endpoints"]["list"][number];
const column = createColumnHelper<Endpoint>();

export function EndpointStatus({ endpoint }: { endpoint: Endpoint }) {
  const { t } = useTranslation("webhooks");
  if (endpoint.status === "disabled") return <Badge tone="bad">{t("disabled")}</Badge>;
  if (endpoint.consecutiveFailures > 0)
    return <Badge tone="warn">{t("failing", { count: endpoint.consecutiveFailures })}</Badge>;
  return <Badge tone="good">{t("enabled")}</Badge>;
}

export function EndpointList() {
  const { t } = useTranslation("webhooks");
  const format = useFormat();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const endpoints = useQuery(trpc.webhooks.endpoints.list.queryOptions());
  const [secret, setSecret] = useState<string | null>(null);
  // A new key per creation empties the form for the next endpoint.
  const [formKey, setFormKey] = useState(0);
  const create = useMutation(
    trpc.webhooks.endpoints.create.mutationOptions({
      onSuccess: (created) => {
        setSecret(created.secret);
        setFormKey((k) => k + 1);
        void queryClient.invalidateQueries({ queryKey: trpc.webhooks.endpoints.list.queryKey() });
      },
    }),
  );
  const columns = [
    column.accessor("url", { header: t("url"), cell: (c) => <span className="break-all">{c.getValue()}</span> }),
    column.accessor("eventTypes", {
      header: t("eventTypes"),
      enableSorting: false,
      cell: (c) => <span className="font-mono text-xs">{c.getValue().join(", ")}</span>,
    }),
    column.accessor("status", { header: t("status"), cell: (c) => <EndpointStatus endpoint={c.row.original} /> }),
    column.accessor("lastSuccessAt", {
      header: t("lastSuccess"),
      cell: (c) => (c.getValue() ? format.dateTime(c.getValue()!) : t("never")),
    }),
    column.display({
      id: "open",
      header: t("actions"),
      cell: (c) => (
        <Link
          to={c.row.original.id}
          aria-label={t("openEndpoint", { url: c.row.original.url })}
          className="font-medium text-emerald-800 underline hover:text-emerald-900 focus-visible:outline-2 focus-visible:outline-emerald-700"
        >
          {t("open")}
        </Link>
      ),
    }),
  ];
  return (
    <>
      <PageHeader title={t("title")} />
      <p className="mb-4 max-w-3xl text-sm text-slate-700">{t("intro")}</p>
      <div className="flex flex-col gap-4">
        <Card title={t("newEndpoint")}>
          <EndpointForm
            key={formKey}
            initial={{ url: "", description: "", eventTypes: [] }}
            submitLabel={t("create")}
            pending={create.isPending}
            error={create.error}
            onSubmit={({ description, ...fields }) =>
              create.mutate({ ...fields, ...(description.trim() ? { description } : {}) })
            }
          />
        </Card>
        {secret && (
          <OneTimeSecret
            label={t("secretCreated")}
            secret={secret}
            warning={t("secretOnce")}
            copyLabel={t("copy")}
            copiedLabel={t("copied")}
            dismissLabel={t("dismiss")}
            onDismiss={() => setSecret(null)}
          />
        )}
        <section aria-labelledby="webhook-endpoints">
          <h2 id="webhook-endpoints" className="mb-2 text-lg font-semibold text-slate-900">
            {t("endpoints")}
          </h2>
          <QueryResult query={endpoints}>
            {(data) => <DataTable caption={t("caption")} columns={columns} rows={data} />}
          </QueryResult>
        </section>
      </div>
    </>
  );
}
