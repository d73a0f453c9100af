import {
  Alert,
  Badge,
  Button,
  Card,
  describeError,
  PageHeader,
  type RouterOutputs,
  Spinner,
  useFormat,
  useTRPC,
} from "@regulars/web-ui";
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { createColumnHelper } from "@tanstack/react-table";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useParams } from "react-router";
import { may, mayChangeSegment } from "../../permissions.ts";
import { useSession } from "../../session.tsx";
import { DataTable } from "../../ui/data-table.tsx";
import { CustomerLink } from "./customer-link.tsx";
import { MembershipNotice } from "./membership-notes.tsx";

type Member = RouterOutputs["segments"]["members"]["members"][number];
const column = createColumnHelper<Member>();

/** A saved segment: what it is, when it was last refreshed, its members, and a refresh now. */
export function SegmentDetail() {
  const { t } = useTranslation("segments");
  const format = useFormat();
  const { id = "" } = useParams();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const viewer = useSession().session?.staff;
  const segment = useQuery(trpc.segments.get.queryOptions({ id }));
  // Pages by the last customer id seen (`after`), as the API pages members; the stack goes back to the first.
  const [afters, setAfters] = useState<string[]>([]);
  const members = useQuery({
    ...trpc.segments.members.queryOptions({ id, limit: 50, ...(afters.length ? { after: afters.at(-1) } : {}) }),
    placeholderData: keepPreviousData,
  });
  const refresh = useMutation(
    trpc.segments.refresh.mutationOptions({
      onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.segments.pathKey() }),
    }),
  );

  if (segment.isPending) return <Spinner label={t("common:loading")} />;
  if (segment.error) return <Alert>{describeError(segment.error)}</Alert>;
  const s = segment.data;
  // Analysts may change only the SQL segments they created, and refreshing is an admin key's move.
  const mayEdit = mayChangeSegment(viewer, s);
  const mayRefresh = may(viewer?.role, "refreshSegments");

  return (
    <>
      <PageHeader
        title={s.name}
        actions={
          <>
            {mayRefresh && (
              <Button tone="secondary" disabled={refresh.isPending} onClick={() => refresh.mutate({ id })}>
                {refresh.isPending ? t("refreshing") : t("refresh")}
              </Button>
            )}
            {mayEdit && (
              <Link
                to="edit"
                className="rounded-md bg-emerald-700 px-3 py-2 text-sm font-medium text-white hover:bg-emerald-800 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-emerald-700"
              >
                {t("common:edit")}
              </Link>
            )}
          </>
        }
      />
      <p className="mb-4">
        <Link to="/segments" className="text-sm text-emerald-800 underline">
          {t("back")}
        </Link>
      </p>
      {refresh.error && <Alert>{describeError(refresh.error)}</Alert>}
      {refresh.data && (
        <Alert tone="success">
          {t("refreshed", {
            count: refresh.data.refresh.members,
            members: format.number(refresh.data.refresh.members),
            entered: format.number(refresh.data.refresh.entered),
            left: format.number(refresh.data.refresh.left),
          })}
        </Alert>
      )}
      <Card title={t("about")} className="my-4">
        <MembershipNotice segment={s} />
        <dl className="grid grid-cols-[max-content_1fr] gap-x-6 gap-y-1 text-sm">
          <dt className="text-slate-700">{t("members")}</dt>
          <dd className="text-slate-900" data-testid="member-count">
            {format.number(s.memberCount)}
          </dd>
          <dt className="text-slate-700">{t("status")}</dt>
          <dd>
            <Badge tone={s.status === "active" ? "good" : "warn"}>{t(`statuses.${s.status}`)}</Badge>
          </dd>
          <dt className="text-slate-700">{t("refreshedAt")}</dt>
          <dd className="text-slate-900">{s.refreshedAt ? format.dateTime(s.refreshedAt) : "—"}</dd>
          <dt className="text-slate-700">{t("refreshInterval")}</dt>
          <dd className="text-slate-900">{t("minutes", { count: s.refreshIntervalMinutes })}</dd>
          <dt className="text-slate-700">{t("kind")}</dt>
          <dd className="text-slate-900">{t(`sourceKinds.${s.kind}`)}</dd>
        </dl>
        {s.lastError && <Alert>{t("lastError", { error: s.lastError })}</Alert>}
        <details className="mt-3">
          <summary className="cursor-pointer text-sm text-slate-800">{t("showSource")}</summary>
          <pre className="mt-2 overflow-x-auto rounded bg-slate-50 p-2 text-xs text-slate-900">
            {s.kind === "sql" ? s.sql : JSON.stringify(s.definition, null, 2)}
          </pre>
        </details>
      </Card>
      <h2 className="mb-2 text-lg font-semibold text-slate-900">{t("membersTitle")}</h2>
      {members.error && <Alert>{describeError(members.error)}</Alert>}
      {members.data && (
        <DataTable
          caption={t("membersCaption")}
          rows={members.data.members}
          columns={[
            column.accessor("customerId", { header: t("customer"), cell: (c) => <CustomerLink id={c.getValue()} /> }),
            column.accessor("enteredAt", { header: t("enteredAt"), cell: (c) => format.dateTime(c.getValue()) }),
          ]}
          empty={t("noMembers")}
        />
      )}
      <div className="mt-3 flex gap-2">
        {afters.length > 0 && (
          <Button tone="secondary" onClick={() => setAfters(afters.slice(0, -1))}>
            {t("common:previous")}
          </Button>
        )}
        {members.data?.next && (
          <Button tone="secondary" onClick={() => setAfters([...afters, members.data.next!])}>
            {t("common:next")}
          </Button>
        )}
      </div>
    </>
  );
}
