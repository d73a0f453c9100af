import { Alert, Card, describeError, Spinner, useFormat, useTRPC } from "@regulars/web-ui";
import { useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";

/** How the campaign is used: a bar per state of its uses, and the figures themselves as the chart's text. */
export function StatsCard({ id }: { id: string }) {
  const { t } = useTranslation("coupons");
  const format = useFormat();
  const trpc = useTRPC();
  const stats = useQuery(trpc.coupons.stats.queryOptions({ id }));
  if (stats.isPending) return <Spinner label={t("common:loading")} />;
  if (stats.error) return <Alert>{describeError(stats.error)}</Alert>;
  const s = stats.data;
  const uses = (["committed", "held", "released", "returned"] as const).map((state) => ({
    state: t(`stats.uses.${state}`),
    count: s.uses[state],
  }));
  const figures: [string, string][] = [
    [t("stats.codes"), format.number(s.codes.total)],
    [t("stats.generated"), format.number(s.codes.generated)],
    [t("stats.imported"), format.number(s.codes.imported)],
    [t("stats.issued"), format.number(s.issued)],
    ...uses.map((u): [string, string] => [u.state, format.number(u.count)]),
    [t("stats.discountGiven"), format.money(s.discountGiven)],
    [t("stats.totalLeft"), s.totalLeft === null ? t("stats.unlimited") : format.number(s.totalLeft)],
    [t("stats.budgetLeft"), s.budgetLeft === null ? t("stats.unlimited") : format.money(s.budgetLeft)],
  ];
  return (
    <Card title={t("stats.title")}>
      <figure>
        <figcaption className="mb-2 text-sm text-slate-700">
          {t("stats.summary", { committed: format.number(s.uses.committed), issued: format.number(s.issued) })}
        </figcaption>
        <div className="h-48 w-full" aria-hidden="true">
          <ResponsiveContainer width="100%" height="100%">
            <BarChart data={uses} margin={{ top: 8, right: 8, bottom: 8, left: 0 }} accessibilityLayer={false}>
              <CartesianGrid strokeDasharray="3 3" stroke="#e2e8f0" />
              <XAxis dataKey="state" tick={{ fill: "#334155", fontSize: 12 }} />
              <YAxis allowDecimals={false} tick={{ fill: "#334155", fontSize: 12 }} />
              <Tooltip />
              <Bar dataKey="count" fill="#047857" isAnimationActive={false} />
            </BarChart>
          </ResponsiveContainer>
        </div>
      </figure>
      <dl
        className="mt-3 grid grid-cols-[1fr_max-content] gap-x-4 gap-y-1 text-sm text-slate-900"
        aria-label={t("stats.figures")}
      >
        {figures.map(([label, value]) => (
          <div key={label} className="contents">
            <dt>{label}</dt>
            <dd className="text-right tabular-nums">{value}</dd>
          </div>
        ))}
      </dl>
    </Card>
  );
}
