import {
  Alert,
  Badge,
  Button,
  describeError,
  PageHeader,
  type RouterOutputs,
  Spinner,
  useFormat,
  useTRPC,
} from "@regulars/web-ui";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { createColumnHelper } from "@tanstack/react-table";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { may } from "../../permissions.ts";
import { useSession } from "../../session.tsx";
import { DataTable } from "../../ui/data-table.tsx";
import { ItemLink } from "../../ui/item-link.tsx";
import { membershipOf, worthRefreshing } from "./membership.ts";
import { PausedNote, StaleCountNote } from "./membership-notes.tsx";

type Segment = RouterOutputs["segments"]["list"][number];
const column = createColumnHelper<Segment>();

export function SegmentList() {
  const { t } = useTranslation("segments");
  const format = useFormat();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const mayRefresh = may(useSession().session?.staff.role, "refreshSegments");
  const segments = useQuery(trpc.segments.list.queryOptions());
  const refresh = useMutation(
    trpc.segments.refresh.mutationOptions({
      onSettled: () => queryClient.invalidateQueries({ queryKey: trpc.segments.pathKey() }),
    }),
  );
  const nameOf = (id: string) => segments.data?.find((s) => s.id === id)?.name ?? id;
  // Offered where a refresh brings something up to date; an analyst's key may not refresh at all.
  const refreshColumn = column.display({
    id: "actions",
    header: t("actions"),
    cell: (c) => {
      const { id, name } = c.row.original;
      if (!worthRefreshing(membershipOf(c.row.original))) return null;
      return (
        <Button
          tone="secondary"
          className="whitespace-nowrap"
          aria-label={t("refreshOf", { name })}
          disabled={refresh.isPending}
          onClick={() => refresh.mutate({ id })}
        >
          {refresh.isPending && refresh.variables?.id === id ? t("refreshing") : t("refresh")}
        </Button>
      );
    },
  });
  const columns = [
    column.accessor("name", {
      header: t("name"),
      cell: (c) => <ItemLink to={c.row.original.id}>{c.getValue()}</ItemLink>,
    }),
    column.accessor("kind", { header: t("kind"), cell: (c) => t(`sourceKinds.${c.getValue()}`) }),
    column.accessor("memberCount", {
      header: t("members"),
      // The count is whatever the last refresh stored: it says so when that is not the current definition's.
      cell: (c) => (
        <>
          {format.number(c.getValue())}
          <StaleCountNote segment={c.row.original} />
        </>
      ),
    }),
    column.accessor("status", {
      header: t("status"),
      cell: (c) => (
        <>
          <Badge tone={c.getValue() === "active" ? "good" : "warn"}>{t(`statuses.${c.getValue()}`)}</Badge>
          <PausedNote segment={c.row.original} />
        </>
      ),
    }),
    column.accessor("refreshedAt", {
      header: t("refreshedAt"),
      cell: (c) => (c.getValue() ? format.dateTime(c.getValue()!) : "—"),
    }),
    ...(mayRefresh ? [refreshColumn] : []),
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
      {refresh.error && (
        <Alert>{t("refreshFailed", { name: nameOf(refresh.variables.id), error: describeError(refresh.error) })}</Alert>
      )}
      {refresh.data && (
        <Alert tone="success">
          {t("refreshedNamed", {
            name: refresh.data.segment.name,
            count: refresh.data.refresh.members,
            members: format.number(refresh.data.refresh.members),
            entered: format.number(refresh.data.refresh.entered),
            left: format.number(refresh.data.refresh.left),
          })}
        </Alert>
      )}
      {segments.isPending && <Spinner label={t("common:loading")} />}
      {segments.error && <Alert>{segments.error.message}</Alert>}
      {segments.data && <DataTable caption={t("caption")} columns={columns} rows={segments.data} empty={t("empty")} />}
    </>
  );
}
