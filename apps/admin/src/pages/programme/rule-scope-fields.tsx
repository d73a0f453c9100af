import { useTRPC } from "@regulars/web-ui";
import { useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { CheckboxGroup } from "../../ui/checkbox-group.tsx";
import { TagField } from "../../ui/tag-input.tsx";
import { type Channel, channels } from "./rule-draft.ts";
import type { ProgrammeConfig } from "./shared.tsx";

/** The tenant's segments by id, for naming them; empty until they are read. */
export function useSegmentNames(): Map<string, string> {
  const trpc = useTRPC();
  const segments = useQuery(trpc.segments.list.queryOptions());
  return new Map((segments.data ?? []).map((s) => [s.id, s.name]));
}

/**
 * Where and for whom a rule applies. Channels, tiers and segments are closed sets, so they are ticked (a mistyped
 * tier would save a rule no member ever meets); locations are the tenant's own ids, so they are tags, one id each.
 * A tier or segment the rule names that no longer exists stays listed, so saving does not drop it unseen.
 */
export function RuleScopeFields({
  config,
  value,
  onChange,
  err,
}: {
  config: ProgrammeConfig;
  value: { channels: Channel[]; locations: string[]; tiers: string[]; segments: string[] };
  onChange: {
    channels: (next: Channel[]) => void;
    locations: (next: string[]) => void;
    tiers: (next: string[]) => void;
    segments: (next: string[]) => void;
  };
  err: (path: string) => string | undefined;
}) {
  const { t } = useTranslation("programme");
  const segmentNames = useSegmentNames();
  const levels = config.tiers?.levels ?? [];
  const known = new Set(levels.map((l) => l.id));
  const tierOptions = [
    ...levels.map((l) => ({ value: l.id, label: l.name })),
    ...value.tiers.filter((id) => !known.has(id)).map((id) => ({ value: id, label: t("rules.tierGone", { id }) })),
  ];
  const segmentOptions = [
    ...[...segmentNames].map(([id, name]) => ({ value: id, label: name })),
    ...value.segments
      .filter((id) => !segmentNames.has(id))
      .map((id) => ({ value: id, label: t("rules.segmentGone", { id }) })),
  ];
  return (
    <div className="grid gap-3 sm:grid-cols-2">
      <CheckboxGroup
        legend={t("rules.channels")}
        options={channels.map((ch) => ({ value: ch, label: t(`rules.channelNames.${ch}`) }))}
        value={value.channels}
        onChange={onChange.channels}
        error={err("channels")}
        hint={t("rules.channelsHint")}
      />
      <CheckboxGroup
        legend={t("rules.tiers")}
        options={tierOptions}
        value={value.tiers}
        onChange={onChange.tiers}
        error={err("tiers")}
        hint={tierOptions.length > 0 ? t("rules.tiersHint") : t("rules.tiersNone")}
      />
      <CheckboxGroup
        legend={t("rules.segments")}
        options={segmentOptions}
        value={value.segments}
        onChange={onChange.segments}
        error={err("segments")}
        hint={segmentOptions.length > 0 ? t("rules.segmentsHint") : t("rules.segmentsNone")}
      />
      <TagField
        label={t("rules.locations")}
        values={value.locations}
        onChange={onChange.locations}
        error={err("locations")}
        hint={t("rules.locationsHint")}
      />
    </div>
  );
}
