import {
  Alert,
  Badge,
  Button,
  Card,
  ConfirmDialog,
  describeError,
  PageHeader,
  Spinner,
  useFormat,
  useTRPC,
} from "@regulars/web-ui";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { Link, useParams } from "react-router";
import { type Campaign, type CampaignStatus, statusMoves } from "./definition.ts";
import { linkButton, statusTone } from "./list.tsx";
import { CampaignResults } from "./results.tsx";
import { isUnreadableCampaign, listCursorAt, unreadableMoves } from "./unreadable.ts";

type Move = (typeof statusMoves)[CampaignStatus][number];

/** A campaign: what it does, the status moves it allows now, and its results. */
export function CampaignDetail() {
  const { t } = useTranslation("campaigns");
  const { id = "" } = useParams();
  const trpc = useTRPC();
  const campaign = useQuery(trpc.campaigns.get.queryOptions({ id }));
  if (campaign.isPending) return <Spinner label={t("common:loading")} />;
  if (campaign.error) {
    if (isUnreadableCampaign(campaign.error)) return <UnreadableCampaign id={id} error={campaign.error} />;
    return <Alert>{describeError(campaign.error)}</Alert>;
  }
  const c = campaign.data;
  return (
    <>
      <PageHeader
        title={c.name}
        actions={
          c.status !== "archived" && (
            <Link
              to="edit"
              className={`${linkButton} border border-slate-300 bg-white text-slate-900 hover:bg-slate-50`}
            >
              {t("common:edit")}
            </Link>
          )
        }
      />
      <p className="mb-4">
        <Link to="/campaigns" className="text-sm text-emerald-800 underline">
          {t("back")}
        </Link>
      </p>
      <Summary campaign={c} />
      <CampaignResults id={c.id} />
    </>
  );
}

function Summary({ campaign: c }: { campaign: Campaign }) {
  const { t } = useTranslation("campaigns");
  const format = useFormat();
  const trpc = useTRPC();
  // A broadcast is scheduled (it waits for its run); every other trigger is activated.
  const allowed = statusMoves[c.status].filter((m) =>
    c.triggerType === "broadcast" ? m !== "activate" : m !== "schedule",
  );
  const d = c.definition;
  const segmentId = d.audience.kind === "segment" ? d.audience.segmentId : null;
  const segment = useQuery({ ...trpc.segments.get.queryOptions({ id: segmentId ?? "" }), enabled: Boolean(segmentId) });

  return (
    <Card title={t("about")} className="mb-4">
      <dl className="grid grid-cols-[max-content_1fr] gap-x-6 gap-y-1 text-sm">
        <dt className="text-slate-700">{t("status")}</dt>
        <dd>
          <Badge tone={statusTone(c.status)}>{t(`statuses.${c.status}`)}</Badge>
        </dd>
        <dt className="text-slate-700">{t("trigger")}</dt>
        <dd className="text-slate-900">
          {t(`triggers.${c.triggerType}`)}
          {d.trigger.type === "registered" &&
            d.trigger.via &&
            ` (${d.trigger.via.map((v) => t(`registeredSources.${v}`)).join(", ")})`}
        </dd>
        <dt className="text-slate-700">{t("audience")}</dt>
        <dd className="text-slate-900">
          {segmentId ? (
            <Link to={`/segments/${segmentId}`} className="text-emerald-800 underline">
              {t("audienceSegment", { name: segment.data?.name ?? segmentId })}
            </Link>
          ) : (
            t(`audiences.${d.audience.kind}`)
          )}
        </dd>
        <dt className="text-slate-700">{t("steps")}</dt>
        <dd className="text-slate-900">
          {d.actions
            .map((a) =>
              a.type === "send_message"
                ? `${t(`actions.${a.type}`)} (${t(`channels.${a.channel}`)})`
                : t(`actions.${a.type}`),
            )
            .join(" → ")}
        </dd>
        <dt className="text-slate-700">{t("controlShare")}</dt>
        <dd className="text-slate-900">{format.percent(d.controlGroup?.share ?? 0)}</dd>
        <dt className="text-slate-700">{t("nextRun")}</dt>
        <dd className="text-slate-900">{c.nextRunAt ? format.dateTime(c.nextRunAt) : "—"}</dd>
        <dt className="text-slate-700">{t("version")}</dt>
        <dd className="text-slate-900">{c.version}</dd>
      </dl>
      <CampaignMoves id={c.id} allowed={allowed} />
    </Card>
  );
}

/**
 * A campaign this release cannot read: why (the API's message), and the moves that need no definition, so staff
 * can still stop or remove it. Its name and status come from the list, which answers the row without reading it.
 */
function UnreadableCampaign({ id, error }: { id: string; error: unknown }) {
  const { t } = useTranslation("campaigns");
  const trpc = useTRPC();
  const list = useQuery(trpc.campaigns.list.queryOptions({ cursor: listCursorAt(id), limit: 1 }));
  const row = list.data?.items.find((c) => c.id === id);
  return (
    <>
      <PageHeader title={row?.name ?? t("unreadable.title")} />
      <p className="mb-4">
        <Link to="/campaigns" className="text-sm text-emerald-800 underline">
          {t("back")}
        </Link>
      </p>
      <Card title={t("about")} className="mb-4">
        <Alert>{describeError(error)}</Alert>
        {list.isPending ? (
          <Spinner label={t("common:loading")} />
        ) : list.error ? (
          <div className="mt-3">
            <Alert>{describeError(list.error)}</Alert>
          </div>
        ) : row ? (
          <>
            <dl className="mt-4 grid grid-cols-[max-content_1fr] gap-x-6 gap-y-1 text-sm">
              <dt className="text-slate-700">{t("status")}</dt>
              <dd>
                <Badge tone={statusTone(row.status)}>{t(`statuses.${row.status}`)}</Badge>
              </dd>
              <dt className="text-slate-700">{t("trigger")}</dt>
              <dd className="text-slate-900">{t(`triggers.${row.triggerType}`)}</dd>
              <dt className="text-slate-700">{t("version")}</dt>
              <dd className="text-slate-900">{row.version}</dd>
            </dl>
            {unreadableMoves(row.status).length > 0 && (
              <p className="mt-4 text-sm text-slate-700">{t("unreadable.hint")}</p>
            )}
            <CampaignMoves id={id} allowed={unreadableMoves(row.status)} />
          </>
        ) : null}
      </Card>
      <CampaignResults id={id} />
    </>
  );
}

/** The status moves offered now, each invalidating every campaigns query so the page and the list show the move. */
function CampaignMoves({ id, allowed }: { id: string; allowed: Move[] }) {
  const { t } = useTranslation("campaigns");
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const options = {
    onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.campaigns.pathKey() }),
  };
  const moves = {
    schedule: useMutation(trpc.campaigns.schedule.mutationOptions(options)),
    activate: useMutation(trpc.campaigns.activate.mutationOptions(options)),
    pause: useMutation(trpc.campaigns.pause.mutationOptions(options)),
    resume: useMutation(trpc.campaigns.resume.mutationOptions(options)),
    archive: useMutation(trpc.campaigns.archive.mutationOptions(options)),
  };
  const failed = Object.values(moves).find((m) => m.error)?.error;
  const busy = Object.values(moves).some((m) => m.isPending);
  return (
    <>
      {allowed.length > 0 && (
        <div className="mt-4 flex flex-wrap gap-2">
          {allowed.map((move) =>
            move === "archive" ? (
              <ConfirmDialog
                key={move}
                trigger={
                  <Button tone="danger" disabled={busy}>
                    {t("moves.archive")}
                  </Button>
                }
                title={t("archiveTitle")}
                description={t("archiveDescription")}
                confirmLabel={t("moves.archive")}
                cancelLabel={t("common:cancel")}
                onConfirm={() => moves.archive.mutate({ id })}
              />
            ) : (
              <Button
                key={move}
                tone={move === "pause" ? "secondary" : "primary"}
                disabled={busy}
                onClick={() => moves[move].mutate({ id })}
              >
                {t(`moves.${move}`)}
              </Button>
            ),
          )}
        </div>
      )}
      {failed && (
        <div className="mt-3">
          <Alert>{describeError(failed)}</Alert>
        </div>
      )}
    </>
  );
}
