import { Badge, Button, PageHeader, type RouterOutputs, useFormat, useTRPC, useTRPCClient } from "@regulars/web-ui";
import { useInfiniteQuery } from "@tanstack/react-query";
import { createColumnHelper } from "@tanstack/react-table";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { DataTable } from "../../ui/data-table.tsx";
import { SelectField } from "../../ui/fields.tsx";
import { ItemLink } from "../../ui/item-link.tsx";
import { QueryResult } from "../../ui/query-result.tsx";
import type { CampaignStatus } from "./definition.ts";

type Summary = RouterOutputs["campaigns"]["list"]["items"][number];
const column = createColumnHelper<Summary>();
const statuses: CampaignStatus[] = ["draft", "scheduled", "active", "paused", "archived"];

export const statusTone = (status: CampaignStatus) =>
  status === "active" ? "good" : status === "paused" || status === "scheduled" ? "warn" : "neutral";

export const linkButton =
  "rounded-md px-3 py-2 text-sm font-medium focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-emerald-700";

export function CampaignList() {
  const { t } = useTranslation("campaigns");
  const format = useFormat();
  const trpc = useTRPC();
  const client = useTRPCClient();
  const [status, setStatus] = useState<CampaignStatus | "">("");
  const input = { limit: 50, ...(status ? { status: [status] } : {}) };
  // Pages read through the client: campaigns.list's input is strict, and infinite queries add a `direction`.
  // The key is the procedure's own, so saving a campaign (which invalidates campaigns.*) refreshes the list.
  const campaigns = useInfiniteQuery({
    queryKey: trpc.campaigns.list.infiniteQueryKey(input),
    queryFn: ({ pageParam }) => client.campaigns.list.query({ ...input, cursor: pageParam }),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.nextCursor ?? undefined,
  });
  const columns = [
    column.accessor("name", {
      header: t("name"),
      cell: (c) => <ItemLink to={c.row.original.id}>{c.getValue()}</ItemLink>,
    }),
    column.accessor("status", {
      header: t("status"),
      cell: (c) => <Badge tone={statusTone(c.getValue())}>{t(`statuses.${c.getValue()}`)}</Badge>,
    }),
    column.accessor("triggerType", { header: t("trigger"), cell: (c) => t(`triggers.${c.getValue()}`) }),
    column.accessor("nextRunAt", {
      header: t("nextRun"),
      cell: (c) => (c.getValue() ? format.dateTime(c.getValue()!) : "—"),
    }),
    column.accessor("updatedAt", { header: t("updatedAt"), cell: (c) => format.dateTime(c.getValue()) }),
  ];
  return (
    <>
      <PageHeader
        title={t("title")}
        actions={
          <>
            <Link
              to="templates"
              className={`${linkButton} border border-slate-300 bg-white text-slate-900 hover:bg-slate-50`}
            >
              {t("templates")}
            </Link>
            <Link to="new" className={`${linkButton} bg-emerald-700 text-white hover:bg-emerald-800`}>
              {t("new")}
            </Link>
          </>
        }
      />
      <div className="mb-3 w-56">
        <SelectField
          label={t("filterStatus")}
          value={status}
          onChange={setStatus}
          options={[
            { value: "", label: t("anyStatus") },
            ...statuses.map((s) => ({ value: s, label: t(`statuses.${s}`) })),
          ]}
        />
      </div>
      <QueryResult query={campaigns}>
        {(data) => (
          <DataTable
            caption={t("caption")}
            columns={columns}
            rows={data.pages.flatMap((p) => p.items)}
            empty={t("empty")}
          />
        )}
      </QueryResult>
      {campaigns.hasNextPage && (
        <Button
          tone="secondary"
          className="mt-3"
          disabled={campaigns.isFetchingNextPage}
          onClick={() => void campaigns.fetchNextPage()}
        >
          {t("more")}
        </Button>
      )}
    </>
  );
}
