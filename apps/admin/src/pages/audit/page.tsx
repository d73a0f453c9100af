import { Button, PageHeader, type RouterOutputs, useFormat, useTRPC } from "@regulars/web-ui";
import { useInfiniteQuery } from "@tanstack/react-query";
import { createColumnHelper } from "@tanstack/react-table";
import { useTranslation } from "react-i18next";
import { DataTable } from "../../ui/data-table.tsx";
import { QueryResult } from "../../ui/query-result.tsx";

type Entry = RouterOutputs["audit"]["list"]["items"][number];
const column = createColumnHelper<Entry>();

export default function AuditPage() {
  const { t } = useTranslation("audit");
  const format = useFormat();
  const trpc = useTRPC();
  const entries = useInfiniteQuery(
    trpc.audit.list.infiniteQueryOptions({ limit: 50 }, { getNextPageParam: (page) => page.nextCursor ?? undefined }),
  );
  const columns = [
    column.accessor("createdAt", { header: t("when"), cell: (c) => format.dateTime(c.getValue()) }),
    column.accessor("actor", { header: t("actor") }),
    column.accessor("action", { header: t("action") }),
    column.accessor("target", { header: t("target"), cell: (c) => c.getValue() ?? "—" }),
    column.accessor("details", {
      header: t("details"),
      enableSorting: false,
      cell: (c) => <code className="text-xs break-all">{JSON.stringify(c.getValue())}</code>,
    }),
  ];
  return (
    <>
      <PageHeader title={t("title")} />
      <QueryResult query={entries}>
        {(data) => <DataTable caption={t("caption")} columns={columns} rows={data.pages.flatMap((p) => p.items)} />}
      </QueryResult>
      {entries.hasNextPage && (
        <Button tone="secondary" className="mt-3" onClick={() => void entries.fetchNextPage()}>
          {t("more")}
        </Button>
      )}
    </>
  );
}
