import type { RouterOutputs } from "@regulars/web-ui";
import { useFormat } from "@regulars/web-ui";
import { useTranslation } from "react-i18next";
import {
  Bar,
  BarChart,
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from "recharts";
import { ChartFigure } from "../../ui/chart-figure.tsx";
import type { Granularity } from "./range.ts";

type Dashboard = RouterOutputs["analytics"]["dashboard"];

// Fills with enough contrast against white for non-text graphics (3:1), distinct for colour-blind readers.
const colours = { earned: "#047857", redeemed: "#0369a1", expired: "#b45309", returned: "#64748b" };
const axis = { fontSize: 12, fill: "#334155" };

/** A period is named by its first day, a calendar day of the tenant's zone: shown as such, never shifted. */
function usePeriodLabel(granularity: Granularity) {
  const { locale } = useFormat();
  const options: Intl.DateTimeFormatOptions =
    granularity === "month" ? { month: "short", year: "numeric" } : { day: "numeric", month: "short" };
  const formatter = new Intl.DateTimeFormat(locale, { ...options, timeZone: "UTC" });
  return (period: string) => formatter.format(new Date(`${period}T00:00:00Z`));
}

interface Series<K extends string> {
  key: K;
  name: string;
  colour: string;
}

/**
 * Figures per period as bars or lines, one series per figure, with the same figures as a table: the
 * period's name, then each series' count.
 */
function PeriodChart<K extends string>({
  title,
  summary,
  className,
  shape,
  rows,
  series,
}: {
  title: string;
  summary: string;
  className?: string;
  shape: "bars" | "lines";
  rows: ({ label: string } & Record<K, number>)[];
  series: Series<K>[];
}) {
  const { t } = useTranslation("dashboard");
  const format = useFormat();
  const Chart = shape === "bars" ? BarChart : LineChart;
  return (
    <ChartFigure
      title={title}
      summary={summary}
      className={className}
      table={{
        caption: title,
        columns: [t("period"), ...series.map((s) => s.name)],
        rows: rows.map((r) => [r.label, ...series.map((s) => format.number(r[s.key]))]),
      }}
    >
      <ResponsiveContainer width="100%" height="100%">
        <Chart data={rows} accessibilityLayer={false}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} />
          <XAxis dataKey="label" tick={axis} />
          <YAxis tick={axis} allowDecimals={false} tickFormatter={(v: number) => format.number(v)} />
          <Tooltip formatter={(v) => format.number(Number(v))} />
          <Legend />
          {series.map((s) =>
            shape === "bars" ? (
              <Bar key={s.key} dataKey={s.key} name={s.name} fill={s.colour} isAnimationActive={false} />
            ) : (
              <Line key={s.key} dataKey={s.key} name={s.name} stroke={s.colour} isAnimationActive={false} />
            ),
          )}
        </Chart>
      </ResponsiveContainer>
    </ChartFigure>
  );
}

export function PointsChart({ data }: { data: Dashboard["points"] }) {
  const { t } = useTranslation("dashboard");
  const format = useFormat();
  const label = usePeriodLabel(data.granularity);
  const { totals } = data;
  const summary = t("points.summary", {
    earned: format.number(totals.earned),
    reversed: format.number(totals.reversed),
    redeemed: format.number(totals.redeemed),
    returned: format.number(totals.returned),
    expired: format.number(totals.expired),
    rate: totals.redemptionRate === null ? t("notApplicable") : format.percent(totals.redemptionRate),
    periods: data.periods.length,
    count: data.periods.length,
  });
  return (
    <PeriodChart
      title={t("points.title")}
      summary={summary}
      className="lg:col-span-2"
      shape="bars"
      rows={data.periods.map((p) => ({ ...p, label: label(p.period) }))}
      series={[
        { key: "earned", name: t("earned"), colour: colours.earned },
        { key: "redeemed", name: t("redeemed"), colour: colours.redeemed },
        { key: "expired", name: t("expired"), colour: colours.expired },
      ]}
    />
  );
}

export function CouponsChart({ data }: { data: Dashboard["coupons"] }) {
  const { t } = useTranslation("dashboard");
  const format = useFormat();
  const label = usePeriodLabel(data.granularity);
  const summary = t("coupons.summary", {
    issued: format.number(data.totals.issued),
    redeemed: format.number(data.totals.redeemed),
    returned: format.number(data.totals.returned),
    discount: format.money(data.totals.discount),
  });
  return (
    <PeriodChart
      title={t("coupons.title")}
      summary={summary}
      shape="lines"
      rows={data.periods.map((p) => ({ ...p, label: label(p.period) }))}
      series={[
        { key: "issued", name: t("coupons.issued"), colour: colours.earned },
        { key: "redeemed", name: t("coupons.redeemed"), colour: colours.redeemed },
        { key: "returned", name: t("coupons.returned"), colour: colours.returned },
      ]}
    />
  );
}

/**
 * Members per tier, each tier by the name the programme gives it (`tierNames`, by id); a tier the programme no
 * longer has keeps its id.
 */
export function TiersChart({
  data,
  tierNames,
}: {
  data: Dashboard["members"];
  tierNames: ReadonlyMap<string, string>;
}) {
  const { t } = useTranslation("dashboard");
  const format = useFormat();
  const rows = data.tiers.map((tier) => ({
    ...tier,
    label: tier.tier === null ? t("tiers.noTier") : (tierNames.get(tier.tier) ?? tier.tier),
  }));
  const summary = t("tiers.summary", {
    count: data.activeMembers,
    members: format.number(data.activeMembers),
    days: data.activeDays,
    asOf: format.calendarDate(data.asOf),
    list: rows.map((r) => `${r.label} ${format.number(r.members)}`).join(", ") || "—",
  });
  return (
    <ChartFigure
      title={t("tiers.title")}
      summary={summary}
      table={{
        caption: t("tiers.title"),
        columns: [t("tiers.tier"), t("tiers.members"), t("averagePoints")],
        rows: rows.map((r) => [r.label, format.number(r.members), format.number(Math.round(r.averagePoints))]),
      }}
    >
      <ResponsiveContainer width="100%" height="100%">
        <BarChart data={rows} accessibilityLayer={false}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} />
          <XAxis dataKey="label" tick={axis} />
          <YAxis tick={axis} allowDecimals={false} tickFormatter={(v: number) => format.number(v)} />
          <Tooltip formatter={(v) => format.number(Number(v))} />
          <Bar dataKey="members" name={t("tiers.members")} fill={colours.earned} isAnimationActive={false} />
        </BarChart>
      </ResponsiveContainer>
    </ChartFigure>
  );
}

export function LocationsChart({ data }: { data: Dashboard["locations"] }) {
  const { t } = useTranslation("dashboard");
  const format = useFormat();
  const rows = data.locations;
  const summary = rows.length
    ? t("locations.summary", {
        count: rows.length,
        total: format.money(rows.reduce((sum, r) => sum + r.revenue, 0)),
        list: rows.map((r) => `${r.locationId} ${format.money(r.revenue)}`).join(", "),
      })
    : t("locations.empty");
  return (
    <ChartFigure
      title={t("locations.title")}
      summary={summary}
      table={{
        caption: t("locations.title"),
        columns: [t("locations.location"), t("locations.revenue"), t("locations.transactions"), t("locations.refunds")],
        rows: rows.map((r) => [
          r.locationId,
          format.money(r.revenue),
          format.number(r.transactions),
          format.number(r.refunds),
        ]),
      }}
    >
      <ResponsiveContainer width="100%" height="100%">
        <BarChart data={rows} layout="vertical" accessibilityLayer={false} margin={{ left: 24 }}>
          <CartesianGrid strokeDasharray="3 3" horizontal={false} />
          <XAxis type="number" tick={axis} tickFormatter={(v: number) => format.money(v)} />
          <YAxis type="category" dataKey="locationId" tick={axis} width={96} />
          <Tooltip formatter={(v) => format.money(Number(v))} />
          <Bar dataKey="revenue" name={t("locations.revenue")} fill={colours.redeemed} isAnimationActive={false} />
        </BarChart>
      </ResponsiveContainer>
    </ChartFigure>
  );
}
