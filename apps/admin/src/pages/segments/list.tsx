import { Alert, Badge, PageHeader, type RouterOutputs, Spinner, useFormat, useTRPC } from "@regulars/web-ui";
import { useQuery } from "@tanstack/react-query";
import { createColumnHelper } from "@tanstack/react-table";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { DataTable } from "../../ui/data-table.tsx";
import { ItemLink } from "../../ui/item-link.tsx";

type Segment = RouterOutputs["segments"]["list"][number];
const column = createColumnHelper<Segment>();

export function SegmentList() {
  const { t } = useTranslation("segments");
  const format = useFormat();
  const trpc = useTRPC();
  const segments = useQuery(trpc.segments.list.queryOptions());
  const columns = [
    column.accessor("name", {
      header: t("name"),
      cell: (c) => <ItemLink to={c.row.original.id}>{c.getValue()}</ItemLink>,
    }),
    column.accessor("kind", { header: t("kind"), cell: (c) => t(`sourceKinds.${c.getValue()}`) }),
    column.accessor("memberCount", { header: t("members"), cell: (c) => format.number(c.getValue()) }),
    column.accessor("status", {
      header: t("status"),
      cell: (c) => <Badge tone={c.getValue() === "active" ? "good" : "warn"}>{t(`statuses.${c.getValue()}`)}</Badge>,
    }),
    column.accessor("refreshedAt", {
      header: t("refreshedAt"),
      cell: (c) => (c.getValue() ? format.dateTime(c.getValue()!) : "—"),
    }),
  ];
  return (
    <>
      <PageHeader
        title={t("title")}
        actions={
          <Link
            to="new"
            className="rounded-md bg-emerald-700 px-3 py-2 text-sm font-medium text-white hover:bg-emerald-800 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-emerald-700"
          >
            {t("new")}
          </Link>
        }
      />
      {segments.isPending && <Spinner label={t("common:loading")} />}
      {segments.error && <Alert>{segments.error.message}</Alert>}
      {segments.data && <DataTable caption={t("caption")} columns={columns} rows={segments.data} empty={t("empty")} />}
    </>
  );
}
