import { Alert, describeError, PageHeader, Spinner, useFormat, useTRPC } from "@regulars/web-ui";
import { useQuery } from "@tanstack/react-query";
import { Tabs } from "radix-ui";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { ExpiryTab } from "./expiry-tab.tsx";
import { HistoryTab } from "./history-tab.tsx";
import { MilestonesTab } from "./milestones-tab.tsx";
import { RedemptionTab } from "./redemption-tab.tsx";
import { RulesTab } from "./rules-tab.tsx";
import { SavedVersionProvider } from "./shared.tsx";
import { SimulatorTab } from "./simulator-tab.tsx";
import { StampCardsTab } from "./stamp-cards-tab.tsx";
import { TiersTab } from "./tiers-tab.tsx";

const tabs = [
  ["rules", RulesTab],
  ["tiers", TiersTab],
  ["expiry", ExpiryTab],
  ["stampCards", StampCardsTab],
  ["milestones", MilestonesTab],
  ["redemption", RedemptionTab],
  ["simulator", SimulatorTab],
] as const;

/** The loyalty programme in force, edited part by part; each save is a new version (history keeps them all). */
export default function ProgrammePage() {
  const { t } = useTranslation("programme");
  const format = useFormat();
  const trpc = useTRPC();
  const programme = useQuery(trpc.programme.get.queryOptions());
  const [savedVersion, setSavedVersion] = useState<number | null>(null);
  const trigger =
    "rounded-t-md border-b-2 border-transparent px-3 py-2 text-sm font-medium text-slate-700 hover:text-slate-900 " +
    "focus-visible:outline-2 focus-visible:outline-emerald-700 data-[state=active]:border-emerald-700 data-[state=active]:text-slate-900";
  return (
    <>
      <PageHeader title={t("title")} />
      {programme.isPending && <Spinner label={t("common:loading")} />}
      {programme.error && <Alert>{describeError(programme.error)}</Alert>}
      <div aria-live="polite" className="mb-3 empty:hidden">
        {savedVersion !== null && <Alert tone="success">{t("saved", { version: savedVersion })}</Alert>}
      </div>
      {programme.data && (
        <SavedVersionProvider value={setSavedVersion}>
          <p className="mb-4 text-sm text-slate-700">
            {Date.parse(programme.data.effectiveFrom) === 0
              ? t("inForceAlways", { version: programme.data.version })
              : t("inForce", { version: programme.data.version, since: format.dateTime(programme.data.effectiveFrom) })}
          </p>
          <Tabs.Root defaultValue="rules">
            <Tabs.List aria-label={t("tabsLabel")} className="mb-4 flex flex-wrap gap-1 border-b border-slate-200">
              {[...tabs.map(([name]) => name), "history" as const].map((name) => (
                <Tabs.Trigger key={name} value={name} className={trigger}>
                  {t(`tabs.${name}`)}
                </Tabs.Trigger>
              ))}
            </Tabs.List>
            {tabs.map(([name, Tab]) => (
              <Tabs.Content
                key={name}
                value={name}
                className="focus-visible:outline-2 focus-visible:outline-emerald-700"
              >
                {/* Keyed by version: forms start again from what was saved, not from stale drafts. */}
                <Tab key={programme.data.version} config={programme.data.config} />
              </Tabs.Content>
            ))}
            <Tabs.Content value="history" className="focus-visible:outline-2 focus-visible:outline-emerald-700">
              <HistoryTab />
            </Tabs.Content>
          </Tabs.Root>
        </SavedVersionProvider>
      )}
    </>
  );
}
