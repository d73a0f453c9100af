import {
  Alert,
  Button,
  Card,
  describeError,
  PageHeader,
  type RouterOutputs,
  Spinner,
  useFormat,
  useTRPC,
} from "@regulars/web-ui";
import { useMutation, useQuery } from "@tanstack/react-query";
import type { ColumnDef } from "@tanstack/react-table";
import { type FormEvent, type KeyboardEvent, useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import { DataTable } from "../../ui/data-table.tsx";
import { TextareaField } from "../../ui/fields.tsx";

type Answer = RouterOutputs["analytics"]["sql"];
type Row = Answer["rows"][number];

const starter =
  "SELECT count() AS transactions, sum(total) AS revenue\nFROM transactions\nWHERE occurred_at >= now() - INTERVAL 30 DAY";

/**
 * API strings may not hold control characters, so the editor's text travels as its lines (the procedure joins
 * them with newlines again); tabs become spaces for the same reason.
 */
const linesOf = (sql: string) => sql.replaceAll("\t", "  ").split(/\r?\n/);

/** ClickHouse's JSON gives numbers, strings (64-bit integers too), arrays, maps and nulls. */
const cellText = (value: unknown) =>
  value === null ? "NULL" : typeof value === "object" ? JSON.stringify(value) : String(value);

export default function SqlConsolePage() {
  const { t } = useTranslation("sql");
  const trpc = useTRPC();
  const [sql, setSql] = useState(starter);
  const run = useMutation(trpc.analytics.sql.mutationOptions());
  const submit = () => {
    if (sql.trim() && !run.isPending) run.mutate({ sql: linesOf(sql) });
  };
  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      submit();
    }
  };
  return (
    <>
      <PageHeader title={t("title")} />
      <div className="grid gap-4 xl:grid-cols-[1fr_18rem]">
        <div className="flex min-w-0 flex-col gap-4">
          <form
            onSubmit={(e: FormEvent) => {
              e.preventDefault();
              submit();
            }}
            className="flex flex-col gap-3"
          >
            <TextareaField
              label={t("query")}
              hint={t("queryHint")}
              rows={8}
              spellCheck={false}
              autoCapitalize="off"
              autoCorrect="off"
              value={sql}
              onChange={setSql}
              onKeyDown={onKeyDown}
            />
            <div>
              <Button type="submit" disabled={run.isPending || !sql.trim()}>
                {run.isPending ? t("running") : t("run")}
              </Button>
            </div>
          </form>
          {run.error && (
            <Alert>
              <p className="font-semibold">{t("refused")}</p>
              <p className="mt-1 font-mono text-sm break-words">{describeError(run.error)}</p>
            </Alert>
          )}
          {run.data && !run.isPending && <Results answer={run.data} />}
        </div>
        <AllowedTables />
      </div>
    </>
  );
}

function Results({ answer }: { answer: Answer }) {
  const { t } = useTranslation("sql");
  const format = useFormat();
  const columns = useMemo<ColumnDef<Row, unknown>[]>(
    () =>
      answer.columns.map((c, i) => ({
        id: `c${i}`,
        accessorFn: (row: Row) => row[i],
        header: () => (
          <span title={c.type}>
            {c.name} <span className="font-normal text-slate-600">{c.type}</span>
          </span>
        ),
        cell: (cell) => <span className="font-mono whitespace-pre-wrap">{cellText(cell.getValue())}</span>,
      })),
    [answer],
  );
  const seconds = answer.statistics.elapsedSeconds.toLocaleString(format.locale, { maximumFractionDigits: 3 });
  return (
    <section aria-labelledby="sql-results" className="flex flex-col gap-2">
      <div className="flex flex-wrap items-baseline gap-4">
        <h2 id="sql-results" className="text-lg font-semibold text-slate-900">
          {t("results")}
        </h2>
        <p role="status" className="text-sm text-slate-700">
          {t("rowCount", { count: answer.rows.length })} · {t("elapsed", { seconds })}
        </p>
      </div>
      <DataTable caption={t("caption")} columns={columns} rows={answer.rows} empty={t("noRows")} />
    </section>
  );
}

function AllowedTables() {
  const { t } = useTranslation("sql");
  const trpc = useTRPC();
  const tables = useQuery(trpc.analytics.sqlTables.queryOptions());
  return (
    <Card title={t("tables")} className="self-start">
      <p className="mb-3 text-sm text-slate-700">{t("tablesIntro")}</p>
      {tables.isPending && <Spinner label={t("common:loading")} />}
      {tables.error && <Alert>{describeError(tables.error)}</Alert>}
      <ul className="flex flex-col gap-2">
        {tables.data?.map((table) => (
          <li key={table.name}>
            <details>
              <summary className="cursor-pointer font-mono text-sm font-semibold text-slate-900 focus-visible:outline-2 focus-visible:outline-emerald-700">
                {table.name}
              </summary>
              <ul
                aria-label={t("columns", { table: table.name })}
                className="mt-1 ml-4 font-mono text-xs text-slate-700"
              >
                {table.columns.map((name) => (
                  <li key={name}>{name}</li>
                ))}
              </ul>
            </details>
          </li>
        ))}
      </ul>
    </Card>
  );
}
