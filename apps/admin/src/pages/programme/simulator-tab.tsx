import { Alert, Button, Card, describeError, useFormat, useTRPC, useTRPCClient } from "@regulars/web-ui";
import { useMutation, useQuery } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { CheckboxGroup } from "../../ui/checkbox-group.tsx";
import { SelectField, TextField } from "../../ui/fields.tsx";
import { TableHead } from "../../ui/table-head.tsx";
import { useSegmentNames } from "./rule-scope-fields.tsx";
import type { ProgrammeConfig } from "./shared.tsx";
import { type Channel, type SimulateInput, type SimulatorLine, simulateRequest } from "./simulator-request.ts";

const channels = ["kiosk", "pos", "app", "web", "delivery"] as const satisfies readonly Channel[];

/** "What would this basket earn, and why": a basket from the menu, run through the programme in force. */
export function SimulatorTab({ config }: { config: ProgrammeConfig }) {
  const { t } = useTranslation("programme");
  const format = useFormat();
  const trpc = useTRPC();
  const client = useTRPCClient();
  const menu = useQuery(trpc.catalog.products.queryOptions({}));
  const products = menu.data?.flatMap((c) => c.products) ?? [];
  const [sku, setSku] = useState("");
  const [quantity, setQuantity] = useState("1");
  const [lines, setLines] = useState<SimulatorLine[]>([]);
  const [tier, setTier] = useState("");
  const [segments, setSegments] = useState<string[]>([]);
  const segmentNames = useSegmentNames();
  const [channel, setChannel] = useState<(typeof channels)[number]>("pos");
  const [locationId, setLocationId] = useState("store-1");
  // Asked on demand: the answer belongs to the basket as it was when the button was pressed.
  const simulate = useMutation({ mutationFn: (input: SimulateInput) => client.programme.simulate.query(input) });

  const add = (e: FormEvent) => {
    e.preventDefault();
    const product = products.find((p) => p.sku === (sku || products[0]?.sku));
    if (!product) return;
    setLines((all) => [
      ...all,
      {
        sku: product.sku,
        name: product.name,
        category: product.category,
        tags: product.tags,
        unitPrice: product.price,
        quantity: Number(quantity) || 1,
      },
    ]);
  };
  // Only segments still listed: a deleted one's rule pays no one, so a box ticked before it went must not count.
  const run = () =>
    simulate.mutate(
      simulateRequest({ lines, channel, locationId, tier, segments: segments.filter((id) => segmentNames.has(id)) }),
    );
  const result = simulate.data;
  const tiers = config.tiers?.levels ?? [];

  return (
    <div className="flex flex-col gap-4">
      <h2 className="text-lg font-semibold text-slate-900">{t("tabs.simulator")}</h2>
      {menu.error && <Alert>{describeError(menu.error)}</Alert>}
      <form onSubmit={add} className="flex flex-wrap items-end gap-3" aria-label={t("simulator.addLine")}>
        <SelectField
          label={t("simulator.product")}
          value={sku || products[0]?.sku || ""}
          onChange={setSku}
          options={products.map((p) => ({
            value: p.sku,
            label: `${p.name} (${p.category}, ${format.money(p.price)})`,
          }))}
        />
        <TextField
          label={t("simulator.quantity")}
          inputMode="numeric"
          value={quantity}
          onChange={setQuantity}
          className="w-24"
        />
        <Button type="submit" tone="secondary" disabled={products.length === 0}>
          {t("simulator.addLine")}
        </Button>
      </form>
      <table className="min-w-full rounded-lg border border-slate-200 bg-white text-left text-sm">
        <caption className="sr-only">{t("simulator.basket")}</caption>
        <TableHead
          className="bg-slate-50 text-slate-700"
          cellClassName="px-3 py-2"
          labels={[
            t("simulator.product"),
            t("simulator.quantity"),
            t("simulator.price"),
            t("simulator.points"),
            <span className="sr-only">{t("actions")}</span>,
          ]}
        />
        <tbody>
          {lines.map((line, i) => {
            const explained = result?.lines[i];
            return (
              <tr key={i} className="border-t border-slate-100">
                <td className="px-3 py-2">
                  {line.name} <span className="text-slate-700">({line.sku})</span>
                </td>
                <td className="px-3 py-2">{line.quantity}</td>
                <td className="px-3 py-2">{format.money(line.unitPrice * line.quantity)}</td>
                <td className="px-3 py-2">
                  {explained
                    ? explained.excludedBy
                      ? t("simulator.excluded", { rule: explained.excludedBy })
                      : format.number(explained.points)
                    : "—"}
                </td>
                <td className="px-3 py-2">
                  <Button
                    tone="ghost"
                    onClick={() => setLines((all) => all.filter((_, j) => j !== i))}
                    aria-label={t("simulator.remove", { name: line.name })}
                  >
                    {t("simulator.removeShort")}
                  </Button>
                </td>
              </tr>
            );
          })}
          {lines.length === 0 && (
            <tr>
              <td colSpan={5} className="px-3 py-4 text-center text-slate-700">
                {t("simulator.empty")}
              </td>
            </tr>
          )}
        </tbody>
      </table>
      <div className="grid gap-3 sm:grid-cols-3">
        <SelectField
          label={t("simulator.tier")}
          value={tier}
          onChange={setTier}
          options={[{ value: "", label: t("simulator.noTier") }, ...tiers.map((l) => ({ value: l.id, label: l.name }))]}
        />
        <SelectField
          label={t("simulator.channel")}
          value={channel}
          onChange={setChannel}
          options={channels.map((c) => ({ value: c, label: c }))}
        />
        <TextField label={t("simulator.location")} value={locationId} onChange={setLocationId} />
      </div>
      <CheckboxGroup
        legend={t("simulator.segments")}
        options={[...segmentNames].map(([id, name]) => ({ value: id, label: name }))}
        value={segments}
        onChange={setSegments}
        hint={segmentNames.size > 0 ? t("simulator.segmentsHint") : t("simulator.segmentsNone")}
      />
      <div>
        <Button onClick={run} disabled={lines.length === 0 || simulate.isPending}>
          {t("simulator.run")}
        </Button>
      </div>
      {simulate.error && <Alert>{describeError(simulate.error)}</Alert>}
      {result && (
        <Card title={t("simulator.result")}>
          <p className="text-2xl font-semibold text-slate-900" data-testid="simulated-points">
            {t("simulator.earns", { points: result.points, version: result.programmeVersion })}
          </p>
          {result.capped && (
            <p className="text-sm text-slate-700">
              {t("simulator.capped", { uncapped: format.number(result.capped.uncapped) })}
            </p>
          )}
          <h3 className="mt-3 font-semibold text-slate-900">{t("simulator.why")}</h3>
          <ul className="mt-1 list-disc pl-5 text-sm text-slate-900" aria-label={t("simulator.why")}>
            {result.rules.map((r) => (
              <li key={r.ruleId}>
                <strong>{r.ruleId}</strong> ({t(`ruleType.${r.type}`, { defaultValue: r.type })}):{" "}
                {t("simulator.rulePoints", { points: format.number(Math.round(r.points * 100) / 100) })} — {r.detail}
              </li>
            ))}
            {result.rules.length === 0 && <li>{t("simulator.noRules")}</li>}
          </ul>
        </Card>
      )}
    </div>
  );
}
