import { useTranslation } from "react-i18next";
import { CheckboxGroup } from "../../ui/checkbox-group.tsx";
import { TagField } from "../../ui/tag-input.tsx";
import { type Channel, channels } from "./rule-draft.ts";
import type { ProgrammeConfig } from "./shared.tsx";

/**
 * Where and for whom a rule applies. Channels and tiers are closed sets, so they are ticked (a mistyped tier
 * would save a rule no member ever meets); locations are the tenant's own ids, so they are tags, one id each.
 * A tier the rule names that is no longer in the programme stays listed, so saving does not drop it unseen.
 */
export function RuleScopeFields({
  config,
  value,
  onChange,
  err,
}: {
  config: ProgrammeConfig;
  value: { channels: Channel[]; locations: string[]; tiers: string[] };
  onChange: {
    channels: (next: Channel[]) => void;
    locations: (next: string[]) => void;
    tiers: (next: string[]) => void;
  };
  err: (path: string) => string | undefined;
}) {
  const { t } = useTranslation("programme");
  const levels = config.tiers?.levels ?? [];
  const known = new Set(levels.map((l) => l.id));
  const tierOptions = [
    ...levels.map((l) => ({ value: l.id, label: l.name })),
    ...value.tiers.filter((id) => !known.has(id)).map((id) => ({ value: id, label: t("rules.tierGone", { id }) })),
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
