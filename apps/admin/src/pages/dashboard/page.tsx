import { Alert, describeError, PageHeader, Spinner, useFormat, useTRPC } from "@regulars/web-ui";
import { keepPreviousData, type UseQueryResult, useQuery } from "@tanstack/react-query";
import { type ReactNode, useState } from "react";
import { useTranslation } from "react-i18next";
import { SelectField } from "../../ui/fields.tsx";
import { useTierNames } from "../../ui/tier-names.ts";
import { CampaignResults } from "./campaigns.tsx";
import { CouponsChart, LocationsChart, PointsChart, TiersChart } from "./charts.tsx";
import { type Granularity, granularityChoices, lastDays, type RangeDays, rangeChoices } from "./range.ts";

export default function DashboardPage() {
  const { t } = useTranslation("dashboard");
  const format = useFormat();
  const trpc = useTRPC();
  const [days, setDays] = useState<RangeDays>(30);
  const [granularity, setGranularity] = useState<Granularity>("day");
  const range = lastDays(days, format.timezone);
  const series = { ...range, granularity };
  // The previous range's figures stay on screen while the next ones load, so the charts do not jump.
  const keep = { placeholderData: keepPreviousData };
  const points = useQuery({ ...trpc.analytics.dashboard.points.queryOptions(series), ...keep });
  const coupons = useQuery({ ...trpc.analytics.dashboard.coupons.queryOptions(series), ...keep });
  const members = useQuery({ ...trpc.analytics.dashboard.members.queryOptions(range), ...keep });
  const locations = useQuery({ ...trpc.analytics.dashboard.locations.queryOptions(range), ...keep });
  // Tiers by name: the analytics figures carry the programme's tier ids.
  const tierNames = useTierNames();

  const rate = points.data?.totals.redemptionRate;
  const kpis = [
    { label: t("earned"), value: points.data && format.number(points.data.totals.earned) },
    { label: t("redeemed"), value: points.data && format.number(points.data.totals.redeemed) },
    { label: t("expired"), value: points.data && format.number(points.data.totals.expired) },
    {
      label: t("redemptionRate"),
      value: points.data && (rate == null ? t("notApplicable") : format.percent(rate)),
    },
    { label: t("activeMembers"), value: members.data && format.number(members.data.activeMembers) },
    { label: t("averagePoints"), value: members.data && format.number(Math.round(members.data.averagePoints)) },
  ];

  return (
    <>
      <PageHeader title={t("title")} />
      <div className="mb-4 flex flex-wrap items-end gap-4">
        <SelectField
          label={t("range")}
          value={String(days)}
          onChange={(d) => setDays(Number(d) as RangeDays)}
          options={rangeChoices.map((d) => ({ value: String(d), label: t("rangeDays", { count: d }) }))}
        />
        <SelectField
          label={t("granularity")}
          value={granularity}
          onChange={setGranularity}
          options={granularityChoices.map((g) => ({ value: g, label: t(`granularities.${g}`) }))}
        />
        <p className="pb-2 text-sm text-slate-700">
          {t("inZone", {
            zone: format.timezone,
            from: format.calendarDate(range.from),
            to: format.calendarDate(range.to),
          })}
        </p>
      </div>

      <section aria-labelledby="dashboard-kpis" className="mb-4">
        <h2 id="dashboard-kpis" className="sr-only">
          {t("kpis")}
        </h2>
        <dl className="grid grid-cols-2 gap-3 md:grid-cols-3 xl:grid-cols-6">
          {kpis.map((k) => (
            <div key={k.label} className="rounded-lg border border-slate-200 bg-white p-3 shadow-sm">
              <dt className="text-xs font-medium text-slate-700">{k.label}</dt>
              <dd className="mt-1 text-2xl font-semibold text-slate-900">{k.value ?? "…"}</dd>
            </div>
          ))}
        </dl>
      </section>

      <div className="grid gap-4 lg:grid-cols-2">
        <Loaded query={points}>{(data) => <PointsChart data={data} />}</Loaded>
        <Loaded query={members}>{(data) => <TiersChart data={data} tierNames={tierNames} />}</Loaded>
        <Loaded query={coupons}>{(data) => <CouponsChart data={data} />}</Loaded>
        <Loaded query={locations}>{(data) => <LocationsChart data={data} />}</Loaded>
        <CampaignResults />
      </div>
    </>
  );
}

/** A chart once its figures arrived; the reason when they could not be read. */
function Loaded<T>({ query, children }: { query: UseQueryResult<T, unknown>; children: (data: T) => ReactNode }) {
  const { t } = useTranslation("common");
  if (query.error) return <Alert>{describeError(query.error)}</Alert>;
  if (!query.data) return <Spinner label={t("loading")} />;
  return children(query.data);
}
