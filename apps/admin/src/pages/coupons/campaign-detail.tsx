import { Alert, Badge, Button, Card, describeError, PageHeader, Spinner, useFormat, useTRPC } from "@regulars/web-ui";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { Link, useParams } from "react-router";
import { useCanEditCoupons } from "./can-edit.ts";
import { CodesCard } from "./codes-card.tsx";
import { ImportCard } from "./import-card.tsx";
import { IssueCard } from "./issue-card.tsx";
import { StatsCard } from "./stats-card.tsx";
import { useBenefitSummary } from "./summary.ts";

/** One campaign: what it gives and how it is used, its codes, pausing it, and issuing it to a customer. */
export function CampaignDetail() {
  const { t } = useTranslation("coupons");
  const format = useFormat();
  const { id = "" } = useParams();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const canEdit = useCanEditCoupons();
  const summary = useBenefitSummary();
  const campaign = useQuery(trpc.coupons.get.queryOptions({ id }));
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.coupons.pathKey() });
  const pause = useMutation(trpc.coupons.pause.mutationOptions({ onSuccess: refresh }));
  const resume = useMutation(trpc.coupons.resume.mutationOptions({ onSuccess: refresh }));
  if (campaign.isPending) return <Spinner label={t("common:loading")} />;
  if (campaign.error) return <Alert>{describeError(campaign.error)}</Alert>;
  const c = campaign.data;
  const active = c.status === "active";
  const conditions = c.config.conditions;
  return (
    <>
      <PageHeader
        title={c.name}
        actions={
          canEdit && (
            <>
              <Link
                to="edit"
                className="inline-flex items-center rounded-md border border-slate-300 bg-white px-3 py-2 text-sm font-medium text-slate-900 hover:bg-slate-50 focus-visible:outline-2 focus-visible:outline-emerald-700"
              >
                {t("common:edit")}
              </Link>
              <Button
                tone={active ? "danger" : "primary"}
                disabled={pause.isPending || resume.isPending}
                onClick={() => (active ? pause : resume).mutate({ id })}
              >
                {active ? t("pause") : t("resume")}
              </Button>
            </>
          )
        }
      />
      <p className="mb-4 text-sm">
        <Link
          to="/coupons"
          className="text-emerald-800 underline focus-visible:outline-2 focus-visible:outline-emerald-700"
        >
          {t("backToList")}
        </Link>
      </p>
      {(pause.error || resume.error) && <Alert>{describeError(pause.error ?? resume.error)}</Alert>}
      <div className="grid gap-4 lg:grid-cols-2">
        <Card title={t("detail.about")}>
          <dl className="grid grid-cols-[max-content_1fr] gap-x-4 gap-y-1 text-sm text-slate-900">
            <dt className="font-medium">{t("list.status")}</dt>
            <dd>
              <Badge tone={active ? "good" : "warn"}>{t(`status.${c.status}`)}</Badge>
            </dd>
            <dt className="font-medium">{t("list.benefit")}</dt>
            <dd>{summary(c.config.benefit)}</dd>
            <dt className="font-medium">{t("list.codes")}</dt>
            <dd>
              {t(`codesKinds.${c.config.codes.kind}`)}
              {c.config.codes.kind === "generic" && `: ${c.config.codes.code}`}
              {c.config.codes.kind === "unique" && `: ${c.config.codes.pattern}`}
            </dd>
            <dt className="font-medium">{t("form.minBasket")}</dt>
            <dd>{format.money(conditions.minBasket)}</dd>
            <dt className="font-medium">{t("detail.valid")}</dt>
            <dd>
              {conditions.validFrom ? format.dateTime(conditions.validFrom) : "—"} –{" "}
              {conditions.validTo ? format.dateTime(conditions.validTo) : "—"}
            </dd>
            <dt className="font-medium">{t("detail.used")}</dt>
            <dd>
              {format.number(c.usedCount)} ({format.money(c.usedAmount)})
            </dd>
          </dl>
        </Card>
        <StatsCard id={id} />
        {c.config.codes.kind !== "generic" && <CodesCard campaign={c} canGenerate={canEdit} />}
        {canEdit && c.config.codes.kind === "imported" && <ImportCard campaignId={id} />}
        {canEdit && <IssueCard campaignId={id} />}
      </div>
    </>
  );
}
