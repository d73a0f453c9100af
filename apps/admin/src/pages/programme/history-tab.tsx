import {
  Alert,
  Badge,
  Button,
  Card,
  describeError,
  type RouterOutputs,
  Spinner,
  useFormat,
  useTRPC,
} from "@regulars/web-ui";
import { useQuery } from "@tanstack/react-query";
import { createColumnHelper } from "@tanstack/react-table";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { DataTable } from "../../ui/data-table.tsx";
import { QueryResult } from "../../ui/query-result.tsx";
import { diffConfigs } from "./diff.ts";

type Version = RouterOutputs["programme"]["versions"][number];
const column = createColumnHelper<Version>();

/** Every version, newest first; choosing one shows what it changed against the version it was made from. */
export function HistoryTab() {
  const { t } = useTranslation("programme");
  const format = useFormat();
  const trpc = useTRPC();
  const versions = useQuery(trpc.programme.versions.queryOptions());
  const [chosen, setChosen] = useState<number | null>(null);
  const columns = [
    column.accessor("version", { header: t("history.version") }),
    column.accessor("effectiveFrom", {
      header: t("history.effectiveFrom"),
      // The first version is in force since ever: the epoch, which as a date would only puzzle.
      cell: (c) => (Date.parse(c.getValue()) === 0 ? t("history.always") : format.dateTime(c.getValue())),
    }),
    column.accessor("createdAt", { header: t("history.createdAt"), cell: (c) => format.dateTime(c.getValue()) }),
    column.accessor("createdBy", { header: t("history.createdBy") }),
    column.accessor("inForce", {
      header: t("rules.status"),
      cell: (c) => (c.getValue() ? <Badge tone="good">{t("history.inForce")}</Badge> : null),
    }),
    column.display({
      id: "changes",
      header: t("actions"),
      cell: ({ row: { original: v } }) => (
        <Button tone="secondary" onClick={() => setChosen(v.version)} aria-pressed={chosen === v.version}>
          {t("history.showChanges", { version: v.version })}
        </Button>
      ),
    }),
  ];
  return (
    <div className="flex flex-col gap-4">
      <h2 className="text-lg font-semibold text-slate-900">{t("tabs.history")}</h2>
      <QueryResult query={versions}>
        {(data) => <DataTable caption={t("history.caption")} columns={columns} rows={data} />}
      </QueryResult>
      {chosen !== null && (
        <VersionChanges version={chosen} basedOn={versions.data?.find((v) => v.version === chosen)?.basedOn} />
      )}
    </div>
  );
}

/**
 * A change made to the version in force and a scheduled one alike writes a version from each: the one made from the
 * scheduled version is compared with it, not with the version numbered just before it.
 */
function VersionChanges({ version, basedOn = version - 1 }: { version: number; basedOn?: number | undefined }) {
  const { t } = useTranslation("programme");
  const trpc = useTRPC();
  const after = useQuery(trpc.programme.version.queryOptions({ version }));
  // Version 0 is the default programme every tenant starts from.
  const before = useQuery(trpc.programme.version.queryOptions({ version: basedOn }, { enabled: version > 0 }));
  const error = after.error ?? before.error;
  const changes = after.data && before.data ? diffConfigs(before.data.config, after.data.config) : null;
  const shown = (value: string | undefined) => value ?? t("history.absent");
  return (
    <Card title={t("history.changesTitle", { version, previous: basedOn })}>
      {error && <Alert>{describeError(error)}</Alert>}
      {!changes && !error && <Spinner label={t("common:loading")} />}
      {changes?.length === 0 && <p className="text-sm text-slate-700">{t("history.noChanges")}</p>}
      {changes && changes.length > 0 && (
        <ul className="flex flex-col gap-1 text-sm" aria-label={t("history.changesList", { version })}>
          {changes.map((c) => (
            <li key={c.path} className="break-all text-slate-900">
              <code className="font-semibold">{c.path}</code>: <del className="text-red-800">{shown(c.before)}</del>
              {" → "}
              <ins className="text-emerald-800 no-underline">{shown(c.after)}</ins>
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}
