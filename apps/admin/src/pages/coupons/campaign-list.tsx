import { Badge, Button, PageHeader, type RouterOutputs, useFormat, useTRPC } from "@regulars/web-ui";
import { useInfiniteQuery } from "@tanstack/react-query";
import { createColumnHelper } from "@tanstack/react-table";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { DataTable } from "../../ui/data-table.tsx";
import { QueryResult } from "../../ui/query-result.tsx";
import { useCanEditCoupons } from "./can-edit.ts";
import { useBenefitSummary } from "./summary.ts";

type Campaign = RouterOutputs["coupons"]["list"]["items"][number];
const column = createColumnHelper<Campaign>();
const linkStyle = "text-emerald-800 underline focus-visible:outline-2 focus-visible:outline-emerald-700";

export function CampaignList() {
  const { t } = useTranslation("coupons");
  const format = useFormat();
  const trpc = useTRPC();
  const canEdit = useCanEditCoupons();
  const summary = useBenefitSummary();
  const campaigns = useInfiniteQuery(
    trpc.coupons.list.infiniteQueryOptions({ limit: 50 }, { getNextPageParam: (page) => page.nextCursor ?? undefined }),
  );
  const columns = [
    column.accessor("name", {
      header: t("list.name"),
      cell: (c) => (
        <Link to={c.row.original.id} className={linkStyle}>
          {c.getValue()}
        </Link>
      ),
    }),
    column.accessor("status", {
      header: t("list.status"),
      cell: (c) => <Badge tone={c.getValue() === "active" ? "good" : "warn"}>{t(`status.${c.getValue()}`)}</Badge>,
    }),
    column.accessor((c) => summary(c.config.benefit), { id: "benefit", header: t("list.benefit") }),
    column.accessor((c) => t(`codesKinds.${c.config.codes.kind}`), { id: "codes", header: t("list.codes") }),
    column.accessor("usedCount", { header: t("list.used"), cell: (c) => format.number(c.getValue()) }),
    column.accessor("createdAt", { header: t("list.created"), cell: (c) => format.dateTime(c.getValue()) }),
  ];
  return (
    <>
      <PageHeader
        title={t("title")}
        actions={
          canEdit && (
            <Link
              to="new"
              className="inline-flex items-center rounded-md bg-emerald-700 px-3 py-2 text-sm font-medium text-white hover:bg-emerald-800 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-emerald-700"
            >
              {t("new")}
            </Link>
          )
        }
      />
      <QueryResult query={campaigns}>
        {(data) => (
          <DataTable caption={t("list.caption")} columns={columns} rows={data.pages.flatMap((p) => p.items)} />
        )}
      </QueryResult>
      {campaigns.hasNextPage && (
        <Button tone="secondary" className="mt-3" onClick={() => void campaigns.fetchNextPage()}>
          {t("list.more")}
        </Button>
      )}
    </>
  );
}
