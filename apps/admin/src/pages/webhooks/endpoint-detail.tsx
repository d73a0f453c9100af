import {
  Alert,
  Button,
  Card,
  ConfirmDialog,
  describeError,
  PageHeader,
  type RouterOutputs,
  useTRPC,
} from "@regulars/web-ui";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useNavigate, useParams } from "react-router";
import { OneTimeSecret } from "../../ui/one-time-secret.tsx";
import { QueryResult } from "../../ui/query-result.tsx";
import { Deliveries } from "./deliveries.tsx";
import { EndpointForm } from "./endpoint-form.tsx";
import { EndpointStatus } from "./endpoint-list.tsx";

type Endpoint = RouterOutputs["webhooks"]["endpoints"]["get"];

export function EndpointDetail() {
  const { t } = useTranslation("webhooks");
  const { id = "" } = useParams();
  const trpc = useTRPC();
  const endpoint = useQuery(trpc.webhooks.endpoints.get.queryOptions({ id }));
  return (
    <>
      <Link
        to=".."
        relative="path"
        className="mb-2 inline-block text-sm text-emerald-800 underline focus-visible:outline-2 focus-visible:outline-emerald-700"
      >
        ← {t("back")}
      </Link>
      <QueryResult query={endpoint}>{(data) => <EndpointView endpoint={data} />}</QueryResult>
    </>
  );
}

function EndpointView({ endpoint }: { endpoint: Endpoint }) {
  const { t } = useTranslation("webhooks");
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [notice, setNotice] = useState<string | null>(null);
  const [secret, setSecret] = useState<string | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.webhooks.pathKey() });
  const done = (message?: string) => () => {
    setNotice(message ?? null);
    void refresh();
  };
  const update = useMutation(trpc.webhooks.endpoints.update.mutationOptions({ onSuccess: done(t("saved")) }));
  const test = useMutation(trpc.webhooks.endpoints.test.mutationOptions({ onSuccess: done(t("testQueued")) }));
  const disable = useMutation(trpc.webhooks.endpoints.disable.mutationOptions({ onSuccess: done() }));
  const enable = useMutation(trpc.webhooks.endpoints.enable.mutationOptions({ onSuccess: done() }));
  const rotate = useMutation(
    trpc.webhooks.endpoints.rotateSecret.mutationOptions({
      onSuccess: (rotated) => {
        setSecret(rotated.secret);
        setNotice(null);
      },
    }),
  );
  const remove = useMutation(
    trpc.webhooks.endpoints.delete.mutationOptions({
      onSuccess: () => {
        void refresh();
        void navigate("..", { relative: "path" });
      },
    }),
  );
  const failed = test.error ?? disable.error ?? enable.error ?? rotate.error ?? remove.error;
  const enabled = endpoint.status === "enabled";
  return (
    <>
      <PageHeader
        title={<span className="break-all">{endpoint.url}</span>}
        actions={<EndpointStatus endpoint={endpoint} />}
      />
      {endpoint.disabledReason && (
        <p className="mb-3 text-sm text-slate-700">{t("disabledBecause", { reason: endpoint.disabledReason })}</p>
      )}
      <div className="flex flex-col gap-4">
        <Card title={t("actions")}>
          <div className="flex flex-wrap gap-2">
            <Button
              tone="secondary"
              disabled={!enabled || test.isPending}
              onClick={() => test.mutate({ id: endpoint.id })}
            >
              {t("sendTest")}
            </Button>
            <ConfirmDialog
              trigger={<Button tone="secondary">{t("rotate")}</Button>}
              title={t("rotateTitle")}
              description={t("rotateText")}
              confirmLabel={t("rotate")}
              cancelLabel={t("common:cancel")}
              onConfirm={() => rotate.mutate({ id: endpoint.id })}
            />
            {enabled ? (
              <Button tone="secondary" onClick={() => disable.mutate({ id: endpoint.id })}>
                {t("disable")}
              </Button>
            ) : (
              <Button tone="secondary" onClick={() => enable.mutate({ id: endpoint.id })}>
                {t("enable")}
              </Button>
            )}
            <ConfirmDialog
              trigger={<Button tone="danger">{t("delete")}</Button>}
              title={t("deleteTitle")}
              description={t("deleteText", { url: endpoint.url })}
              confirmLabel={t("delete")}
              cancelLabel={t("common:cancel")}
              onConfirm={() => remove.mutate({ id: endpoint.id })}
            />
          </div>
          <div className="mt-3 flex flex-col gap-2">
            {notice && <Alert tone="info">{notice}</Alert>}
            {failed && <Alert>{describeError(failed)}</Alert>}
            {secret && (
              <OneTimeSecret
                label={t("secretRotated")}
                secret={secret}
                warning={t("secretOnce")}
                copyLabel={t("copy")}
                copiedLabel={t("copied")}
                dismissLabel={t("dismiss")}
                onDismiss={() => setSecret(null)}
              />
            )}
          </div>
        </Card>
        <Card title={t("edit")}>
          <EndpointForm
            initial={{ url: endpoint.url, description: endpoint.description, eventTypes: endpoint.eventTypes }}
            submitLabel={t("save")}
            pending={update.isPending}
            error={update.error}
            onSubmit={(fields) => update.mutate({ id: endpoint.id, ...fields })}
          />
        </Card>
        <Deliveries endpointId={endpoint.id} />
      </div>
    </>
  );
}
