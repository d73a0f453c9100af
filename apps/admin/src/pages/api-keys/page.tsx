import {
  Alert,
  Badge,
  Button,
  Card,
  ConfirmDialog,
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
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { DataTable } from "../../ui/data-table.tsx";
import { SelectField, TextField } from "../../ui/fields.tsx";
import { OneTimeSecret } from "../../ui/one-time-secret.tsx";
import { QueryResult } from "../../ui/query-result.tsx";

type Key = RouterOutputs["apiKeys"]["list"][number];
type KeyRole = RouterInputs["apiKeys"]["create"]["role"];
const keyRoles: KeyRole[] = ["pos", "kiosk", "app", "analyst", "admin"];
/** The rotation grace periods offered; the procedure takes any number of seconds up to 7 days. */
const graceChoices = [
  { seconds: 0, label: "graceNone" },
  { seconds: 3_600, label: "graceHour" },
  { seconds: 86_400, label: "graceDay" },
  { seconds: 7 * 86_400, label: "graceWeek" },
] as const;

const column = createColumnHelper<Key>();

export default function ApiKeysPage() {
  const { t } = useTranslation("api-keys");
  const format = useFormat();
  const trpc = useTRPC();
  const keys = useQuery(trpc.apiKeys.list.queryOptions());
  const [issued, setIssued] = useState<{ key: string; heading: string } | null>(null);

  const columns = [
    column.accessor("prefix", { header: t("prefix"), cell: (c) => <code className="font-mono">{c.getValue()}…</code> }),
    column.accessor("label", { header: t("label") }),
    column.accessor("role", { header: t("role"), cell: (c) => t(`roles.${c.getValue()}`) }),
    column.accessor("createdAt", { header: t("createdAt"), cell: (c) => format.dateTime(c.getValue()) }),
    column.accessor("lastUsedAt", {
      header: t("lastUsed"),
      cell: (c) => (c.getValue() ? format.dateTime(c.getValue()!) : t("never")),
    }),
    column.display({ id: "status", header: t("status"), cell: (c) => <KeyStatus apiKey={c.row.original} /> }),
    column.display({
      id: "actions",
      header: t("actions"),
      cell: (c) =>
        c.row.original.revokedAt ? null : (
          <KeyActions apiKey={c.row.original} onRotated={(key) => setIssued({ key, heading: t("rotated") })} />
        ),
    }),
  ];

  return (
    <>
      <PageHeader title={t("title")} />
      <div className="flex flex-col gap-4">
        <NewKeyForm onCreated={(key) => setIssued({ key, heading: t("created") })} />
        {issued && (
          <OneTimeSecret
            label={issued.heading}
            secret={issued.key}
            warning={t("shownOnce")}
            copyLabel={t("copy")}
            copiedLabel={t("copied")}
            dismissLabel={t("dismiss")}
            onDismiss={() => setIssued(null)}
          />
        )}
        <QueryResult query={keys}>
          {(data) => <DataTable caption={t("caption")} columns={columns} rows={data} />}
        </QueryResult>
      </div>
    </>
  );
}

function KeyStatus({ apiKey }: { apiKey: Key }) {
  const { t } = useTranslation("api-keys");
  const format = useFormat();
  if (apiKey.revoked) return <Badge tone="bad">{t("revoked")}</Badge>;
  if (apiKey.revokedAt) return <Badge tone="warn">{t("expires", { at: format.dateTime(apiKey.revokedAt) })}</Badge>;
  return <Badge tone="good">{t("active")}</Badge>;
}

function useRefreshKeys() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  return () => queryClient.invalidateQueries({ queryKey: trpc.apiKeys.list.queryKey() });
}

function NewKeyForm({ onCreated }: { onCreated: (key: string) => void }) {
  const { t } = useTranslation("api-keys");
  const trpc = useTRPC();
  const refresh = useRefreshKeys();
  const [role, setRole] = useState<KeyRole>("pos");
  const [label, setLabel] = useState("");
  const create = useMutation(
    trpc.apiKeys.create.mutationOptions({
      onSuccess: (issued) => {
        onCreated(issued.key);
        setLabel("");
        void refresh();
      },
    }),
  );
  const errors = fieldErrors(create.error);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate({ role, ...(label.trim() ? { label } : {}) });
  };
  return (
    <Card title={t("newKey")}>
      <form onSubmit={submit} className="grid gap-3 sm:grid-cols-[12rem_1fr_auto] sm:items-start">
        <SelectField
          label={t("role")}
          error={errors.role}
          hint={t("roleHint")}
          value={role}
          onChange={setRole}
          options={keyRoles.map((r) => ({ value: r, label: t(`roles.${r}`) }))}
        />
        <TextField
          label={t("label")}
          error={errors.label}
          hint={t("labelHint")}
          value={label}
          maxLength={100}
          onChange={setLabel}
        />
        <Button type="submit" className="sm:mt-6" disabled={create.isPending}>
          {t("create")}
        </Button>
      </form>
      {create.error && !Object.keys(errors).length && (
        <div className="mt-3">
          <Alert>{describeError(create.error)}</Alert>
        </div>
      )}
    </Card>
  );
}

function KeyActions({ apiKey, onRotated }: { apiKey: Key; onRotated: (key: string) => void }) {
  const { t } = useTranslation("api-keys");
  const trpc = useTRPC();
  const refresh = useRefreshKeys();
  const [graceSeconds, setGraceSeconds] = useState(86_400);
  const revoke = useMutation(trpc.apiKeys.revoke.mutationOptions({ onSuccess: () => void refresh() }));
  const rotate = useMutation(
    trpc.apiKeys.rotate.mutationOptions({
      onSuccess: (issued) => {
        onRotated(issued.key);
        void refresh();
      },
    }),
  );
  const failed = revoke.error ?? rotate.error;
  return (
    <div className="flex flex-wrap gap-2">
      <ConfirmDialog
        trigger={<Button tone="secondary">{t("rotate")}</Button>}
        title={t("rotateTitle", { prefix: apiKey.prefix })}
        description={t("rotateText")}
        confirmLabel={t("rotate")}
        cancelLabel={t("common:cancel")}
        onConfirm={() => rotate.mutate({ keyId: apiKey.id, graceSeconds })}
      >
        <SelectField
          label={t("grace")}
          value={String(graceSeconds)}
          onChange={(seconds) => setGraceSeconds(Number(seconds))}
          options={graceChoices.map((choice) => ({ value: String(choice.seconds), label: t(choice.label) }))}
        />
      </ConfirmDialog>
      <ConfirmDialog
        trigger={<Button tone="danger">{t("revoke")}</Button>}
        title={t("revokeTitle", { prefix: apiKey.prefix })}
        description={t("revokeText")}
        confirmLabel={t("revoke")}
        cancelLabel={t("common:cancel")}
        onConfirm={() => revoke.mutate({ keyId: apiKey.id })}
      />
      {failed && <Alert>{describeError(failed)}</Alert>}
    </div>
  );
}
