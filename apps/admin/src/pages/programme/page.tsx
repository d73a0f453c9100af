import { Alert, describeError, PageHeader, Spinner, useFormat, useTRPC } from "@regulars/web-ui";
import { useQuery } from "@tanstack/react-query";
import { Tabs } from "radix-ui";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { fromZonedInput } from "../../ui/zoned-time.ts";
import { CancelScheduledButton } from "./cancel-scheduled.tsx";
import { ExpiryTab } from "./expiry-tab.tsx";
import { HistoryTab } from "./history-tab.tsx";
import { MilestonesTab } from "./milestones-tab.tsx";
import { RedemptionTab } from "./redemption-tab.tsx";
import { RulesTab } from "./rules-tab.tsx";
import {
  ChooseScheduledOnlyProvider,
  type EditChoice,
  EditTargetProvider,
  editTarget,
  ScheduledNotice,
  scheduledVersion,
  TakesEffectField,
} from "./schedule.tsx";
import { type SavedVersion, SavedVersionProvider } from "./shared.tsx";
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

/**
 * The loyalty programme in force, edited part by part; each save is a new version (history keeps them all). While a
 * later version is scheduled, the user chooses whether saves change both it and the one in force, or only it.
 */
export default function ProgrammePage() {
  const { t } = useTranslation("programme");
  const format = useFormat();
  const trpc = useTRPC();
  const programme = useQuery(trpc.programme.get.queryOptions());
  const versions = useQuery(trpc.programme.versions.queryOptions());
  const [saved, setSaved] = useState<string | null>(null);
  const [choice, setChoice] = useState<EditChoice>("inForceAndScheduled");
  const [takesEffect, setTakesEffect] = useState("");
  // Held here: the tabs remount while the chosen version's document loads, and must come back where the user was.
  const [tab, setTab] = useState<string>("rules");
  const scheduled = programme.data ? scheduledVersion(versions.data, programme.data.version) : null;
  const onlyScheduled = scheduled !== null && choice === "scheduledOnly";
  const target = editTarget(scheduled, choice, fromZonedInput(takesEffect, format.timezone));
  const scheduledDocument = useQuery(
    trpc.programme.version.queryOptions({ version: scheduled?.version ?? 0 }, { enabled: onlyScheduled }),
  );
  const edited = onlyScheduled ? scheduledDocument.data : programme.data;
  const error = programme.error ?? versions.error ?? (onlyScheduled ? scheduledDocument.error : null);
  const trigger =
    "rounded-t-md border-b-2 border-transparent px-3 py-2 text-sm font-medium text-slate-700 hover:text-slate-900 " +
    "focus-visible:outline-2 focus-visible:outline-emerald-700 data-[state=active]:border-emerald-700 data-[state=active]:text-slate-900";
  return (
    <>
      <PageHeader title={t("title")} />
      {(programme.isPending || versions.isPending) && <Spinner label={t("common:loading")} />}
      {error && <Alert>{describeError(error)}</Alert>}
      <div aria-live="polite" className="mb-3 empty:hidden">
        {saved !== null && <Alert tone="success">{saved}</Alert>}
      </div>
      {programme.data && versions.data && (
        <p className="mb-4 text-sm text-slate-700">
          {Date.parse(programme.data.effectiveFrom) === 0
            ? t("inForceAlways", { version: programme.data.version })
            : t("inForce", { version: programme.data.version, since: format.dateTime(programme.data.effectiveFrom) })}
        </p>
      )}
      {programme.data && scheduled && (
        <ScheduledNotice inForce={programme.data.version} scheduled={scheduled} choice={choice} onChoose={setChoice}>
          <CancelScheduledButton
            inForce={programme.data.version}
            scheduled={scheduled}
            from={`${format.dateTime(scheduled.effectiveFrom)} (${format.timezone})`}
            onCancelled={(message) => {
              setChoice("inForceAndScheduled");
              setSaved(message);
            }}
          />
        </ScheduledNotice>
      )}
      {programme.data && !onlyScheduled && <TakesEffectField value={takesEffect} onChange={setTakesEffect} />}
      {edited && versions.data && (
        <SavedVersionProvider value={(made) => setSaved(savedMessage(made))}>
          <EditTargetProvider value={target}>
            <ChooseScheduledOnlyProvider value={scheduled ? () => setChoice("scheduledOnly") : null}>
              <Tabs.Root value={tab} onValueChange={setTab}>
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
                    <Tab key={edited.version} config={edited.config} />
                  </Tabs.Content>
                ))}
                <Tabs.Content value="history" className="focus-visible:outline-2 focus-visible:outline-emerald-700">
                  <HistoryTab />
                </Tabs.Content>
              </Tabs.Root>
            </ChooseScheduledOnlyProvider>
          </EditTargetProvider>
        </SavedVersionProvider>
      )}
    </>
  );

  /** Which version a save made, and when it applies: now or later, and whether the scheduled version has it too. */
  function savedMessage({ version, effectiveFrom }: SavedVersion) {
    const zoned = (at: string) => `${format.dateTime(at)} (${format.timezone})`;
    const later = { version, when: zoned(effectiveFrom) };
    if (onlyScheduled || !scheduled) return target.effectiveFrom ? t("savedLater", later) : t("saved", { version });
    const both = { ...later, from: zoned(scheduled.effectiveFrom) };
    return target.effectiveFrom ? t("savedBothLater", both) : t("savedBoth", both);
  }
}
