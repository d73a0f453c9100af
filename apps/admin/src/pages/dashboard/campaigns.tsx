import { Alert, Card, describeError, type RouterOutputs, Spinner, useFormat, useTRPC } from "@regulars/web-ui";
import { useQueries, useQuery } from "@tanstack/react-query";
import { createColumnHelper } from "@tanstack/react-table";
import { useTranslation } from "react-i18next";
import { DataTable } from "../../ui/data-table.tsx";

type Campaign = RouterOutputs["campaigns"]["list"]["items"][number];
type Results = RouterOutputs["campaigns"]["results"];
interface Row {
  campaign: Campaign;
  results: Results | undefined;
}
const column = createColumnHelper<Row>();

/** Campaigns that ran or run now; drafts have no results to show. */
const shownStatuses = ["active", "paused", "scheduled", "archived"] as const;

/** The latest campaigns with their reach, engagement and uplift against the control group. */
export function CampaignResults() {
  const { t } = useTranslation("dashboard");
  const format = useFormat();
  const trpc = useTRPC();
  const campaigns = useQuery(trpc.campaigns.list.queryOptions({ status: [...shownStatuses], limit: 6 }));
  const items = campaigns.data?.items ?? [];
  const results = useQueries({
    queries: items.map((c) => trpc.campaigns.results.queryOptions({ id: c.id })),
  });
  const rate = (share: number | null | undefined) => (share == null ? "—" : format.percent(share));
  const uplift = (share: number | null | undefined) =>
    share == null ? "—" : `${share > 0 ? "+" : ""}${format.number(Math.round(share * 1000) / 10)} pp`;
  const columns = [
    column.accessor((r) => r.campaign.name, { id: "name", header: t("campaigns.name") }),
    column.accessor((r) => r.campaign.status, {
      id: "status",
      header: t("campaigns.status"),
      cell: (c) => t(`campaigns.statuses.${c.getValue()}`),
    }),
    column.accessor((r) => r.results?.messages.sent, {
      id: "sent",
      header: t("campaigns.sent"),
      cell: (c) => (c.getValue() === undefined ? "…" : format.number(c.getValue()!)),
    }),
    column.accessor((r) => r.results?.rates.openRate, {
      id: "opened",
      header: t("campaigns.opened"),
      cell: (c) => rate(c.getValue()),
    }),
    column.accessor((r) => r.results?.rates.clickRate, {
      id: "clicked",
      header: t("campaigns.clicked"),
      cell: (c) => rate(c.getValue()),
    }),
    column.accessor((r) => r.results?.conversions.uplift.absoluteUplift, {
      id: "uplift",
      header: t("campaigns.uplift"),
      cell: (c) => uplift(c.getValue()),
    }),
  ];
  const failed = results.find((r) => r.error)?.error;
  return (
    <Card title={t("campaigns.title")}>
      <p className="mb-3 text-sm text-slate-700">{t("campaigns.upliftHint")}</p>
      {campaigns.isPending && <Spinner label={t("common:loading")} />}
      {campaigns.error && <Alert>{describeError(campaigns.error)}</Alert>}
      {failed && <Alert>{describeError(failed)}</Alert>}
      {campaigns.data && (
        <DataTable
          caption={t("campaigns.caption")}
          columns={columns}
          rows={items.map((campaign, i) => ({ campaign, results: results[i]?.data }))}
        />
      )}
    </Card>
  );
}
