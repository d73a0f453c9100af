import { Button, Card, useFormat, useTRPC } from "@regulars/web-ui";
import { useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { Bar, BarChart, CartesianGrid, Tooltip, XAxis, YAxis } from "recharts";
import { QueryResult } from "../../ui/query-result.tsx";
import { TableHead } from "../../ui/table-head.tsx";

const messageStages = [
  ["sent", null],
  ["delivered", "deliveryRate"],
  ["opened", "openRate"],
  ["clicked", "clickRate"],
  // Failed out of the messages attempted; a cancelled message never went (consent, caps, the campaign ended).
  ["failed", "failureRate"],
  ["cancelled", null],
] as const;

/**
 * Reach against the control group, what happened to the messages, coupons, and purchases against control.
 * The chart shows the message funnel; the table beside it says the same in text for screen readers.
 */
export function CampaignResults({ id }: { id: string }) {
  const { t } = useTranslation("campaigns");
  const format = useFormat();
  const trpc = useTRPC();
  const results = useQuery(trpc.campaigns.results.queryOptions({ id }));
  const rate = (r: number | null) => (r === null ? "—" : format.percent(r));

  return (
    <section aria-labelledby="results-title">
      <div className="mb-2 flex items-center justify-between">
        <h2 id="results-title" className="text-lg font-semibold text-slate-900">
          {t("results.title")}
        </h2>
        <Button tone="secondary" disabled={results.isFetching} onClick={() => void results.refetch()}>
          {t("results.refresh")}
        </Button>
      </div>
      <QueryResult query={results}>
        {(r) => {
          const funnel = messageStages.map(([stage]) => ({ stage: t(`results.${stage}`), count: r.messages[stage] }));
          const up = r.conversions.uplift;
          return (
            <div className="grid gap-4 lg:grid-cols-2">
              <Card title={t("results.reach")}>
                <dl className="grid grid-cols-[max-content_1fr] gap-x-6 gap-y-1 text-sm">
                  <dt className="text-slate-700">{t("results.entered")}</dt>
                  <dd className="text-slate-900" data-testid="reach-entered">
                    {format.number(r.reach.entered)}
                  </dd>
                  <dt className="text-slate-700">{t("results.control")}</dt>
                  <dd className="text-slate-900">{format.number(r.reach.control)}</dd>
                  <dt className="text-slate-700">{t("results.reached")}</dt>
                  <dd className="text-slate-900">{format.number(r.messages.reached)}</dd>
                  <dt className="text-slate-700">{t("results.couponsIssued")}</dt>
                  <dd className="text-slate-900">{format.number(r.coupons.issued)}</dd>
                  <dt className="text-slate-700">{t("results.couponsRedeemed")}</dt>
                  <dd className="text-slate-900">{format.number(r.coupons.redeemed)}</dd>
                </dl>
              </Card>
              <Card title={t("results.messages")}>
                <figure>
                  <div role="img" aria-label={t("results.chartLabel")}>
                    <BarChart width={420} height={200} data={funnel} margin={{ left: 0, right: 8, top: 8, bottom: 0 }}>
                      <CartesianGrid strokeDasharray="3 3" stroke="#e2e8f0" />
                      <XAxis dataKey="stage" tick={{ fill: "#334155", fontSize: 12 }} />
                      <YAxis allowDecimals={false} tick={{ fill: "#334155", fontSize: 12 }} />
                      <Tooltip />
                      <Bar dataKey="count" name={t("results.count")} fill="#047857" />
                    </BarChart>
                  </div>
                  <figcaption className="sr-only">{t("results.chartCaption")}</figcaption>
                </figure>
                <table className="mt-3 w-full text-left text-sm">
                  <caption className="sr-only">{t("results.messagesCaption")}</caption>
                  <TableHead labels={[t("results.stage"), t("results.count"), t("results.rate")]} />
                  <tbody>
                    {messageStages.map(([stage, rateKey]) => (
                      <tr key={stage} className="border-t border-slate-100">
                        <th scope="row" className="py-1 font-normal text-slate-800">
                          {t(`results.${stage}`)}
                        </th>
                        <td className="py-1 text-slate-900" data-testid={`messages-${stage}`}>
                          {format.number(r.messages[stage])}
                        </td>
                        <td className="py-1 text-slate-900">{rateKey ? rate(r.rates[rateKey]) : "—"}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </Card>
              <Card title={t("results.purchases", { days: r.conversionDays })} className="lg:col-span-2">
                <table className="w-full text-left text-sm">
                  <caption className="sr-only">{t("results.purchasesCaption")}</caption>
                  <TableHead
                    labels={[t("results.group"), t("results.customers"), t("results.converted"), t("results.rate")]}
                  />
                  <tbody>
                    {(["entered", "control"] as const).map((g) => (
                      <tr key={g} className="border-t border-slate-100">
                        <th scope="row" className="py-1 font-normal text-slate-800">
                          {t(`results.${g}`)}
                        </th>
                        <td className="py-1 text-slate-900">{format.number(r.conversions[g].customers)}</td>
                        <td className="py-1 text-slate-900">{format.number(r.conversions[g].converted)}</td>
                        <td className="py-1 text-slate-900">
                          {rate(g === "entered" ? up.treatedRate : up.controlRate)}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
                <p className="mt-2 text-sm text-slate-800">
                  {up.absoluteUplift === null
                    ? t("results.noUplift")
                    : t("results.uplift", {
                        points: format.number(Math.round(up.absoluteUplift * 1000) / 10),
                        relative: up.relativeUplift === null ? "—" : format.percent(up.relativeUplift),
                        incremental: format.number(up.incrementalConversions ?? 0),
                      })}
                  {up.zScore !== null &&
                    ` ${Math.abs(up.zScore) >= 1.96 ? t("results.significant") : t("results.notSignificant")}`}
                </p>
              </Card>
            </div>
          );
        }}
      </QueryResult>
    </section>
  );
}
