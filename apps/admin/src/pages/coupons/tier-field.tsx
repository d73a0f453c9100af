import { Spinner, useTRPC } from "@regulars/web-ui";
import { useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { CheckboxGroup } from "../../ui/checkbox-group.tsx";
import { TagField } from "../../ui/tag-input.tsx";

/**
 * The tiers a coupon is for, ticked from the programme's tier levels (the condition holds their ids). A tier
 * chosen before and since taken out of the programme stays listed, so saving does not drop it unseen; a
 * programme without tiers (or one that cannot be read) leaves the ids to be typed, one tag each.
 */
export function TierField({
  value,
  onChange,
  error,
}: {
  value: string[];
  onChange: (next: string[]) => void;
  error: string | undefined;
}) {
  const { t } = useTranslation("coupons");
  const trpc = useTRPC();
  const programme = useQuery(trpc.programme.get.queryOptions());
  if (programme.isPending) return <Spinner label={t("common:loading")} />;
  const levels = programme.data?.config.tiers?.levels ?? [];
  if (levels.length === 0)
    return (
      <TagField
        label={t("form.tiersTyped")}
        values={value}
        onChange={onChange}
        error={error}
        hint={t("form.tiersTypedHint")}
      />
    );
  const known = new Set(levels.map((l) => l.id));
  const options = [
    ...levels.map((l) => ({ value: l.id, label: l.name })),
    ...value.filter((id) => !known.has(id)).map((id) => ({ value: id, label: t("form.tierGone", { id }) })),
  ];
  return (
    <CheckboxGroup
      legend={t("form.tiers")}
      options={options}
      value={value}
      onChange={onChange}
      error={error}
      hint={t("form.tiersHint")}
    />
  );
}
