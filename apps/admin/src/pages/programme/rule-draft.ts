import type { RouterInputs } from "@regulars/web-ui";
import { numberText, optionalNumber } from "../../ui/form-values.ts";
import { type MatchText, matchText, matchValue } from "../../ui/line-match-fields.tsx";
import { fromZonedInput, toZonedInput } from "../../ui/zoned-time.ts";
import type { ProgrammeConfig } from "./shared.tsx";

/**
 * The rule form's model: a rule as the form's fields hold it (`draftOf`), and the rule the form sends
 * (`ruleOf`). Pure, so the mapping of every rule type is tested without a browser.
 */

export type Rule = ProgrammeConfig["rules"][number];
export type RuleInput = RouterInputs["programme"]["rules"]["upsert"]["rule"];
export const ruleTypes = ["base_rate", "slabs", "per_item", "per_visit", "multiplier", "exclusion", "action"] as const;
export type RuleType = (typeof ruleTypes)[number];
export type Channel = NonNullable<RuleInput["channels"]>[number];
/** Typed as a record so the build fails when the contracts gain a channel the form does not offer. */
const channelSet: Record<Channel, true> = { kiosk: true, pos: true, app: true, web: true, delivery: true };
/** The contracts' channels, in the order the form offers them. */
export const channels = Object.keys(channelSet) as Channel[];

/** Every field any rule type has, as the form holds it; only the chosen type's fields are sent. */
export interface Draft {
  id: string;
  name: string;
  type: RuleType;
  priority: string;
  enabled: boolean;
  stopProcessing: boolean;
  channels: Channel[];
  locations: string[];
  tiers: string[];
  /** Segment ids; none is no segment filter, as it was before rules had one. */
  segments: string[];
  /** Wall-clock times in the tenant's zone (`datetime-local`), empty for no limit. */
  validFrom: string;
  validTo: string;
  minBasket: string;
  pointsPerUnit: string;
  unitMinor: string;
  match: MatchText;
  slabs: string;
  pointsPerItem: string;
  points: string;
  minAmount: string;
  factor: string;
  stackable: boolean;
  weekdays: number[];
  birthday: boolean;
  event: string;
  limit: "once" | "per_day" | "per_event";
}

/** The rule as the form's fields show it; `zone` is the tenant's, in which its validity is typed. */
export function draftOf(rule: Rule | undefined, zone: string): Draft {
  const r = (rule ?? {}) as Partial<Record<string, unknown>> & Partial<Rule>;
  const n = (key: string) => numberText(r[key] as number | undefined);
  const slabs = (r.slabs as { minAmount: number; points: number }[] | undefined) ?? [];
  return {
    id: rule?.id ?? "",
    name: rule?.name ?? "",
    type: rule?.type ?? "base_rate",
    priority: numberText(rule?.priority ?? 0),
    enabled: rule?.enabled ?? true,
    stopProcessing: rule?.stopProcessing ?? false,
    channels: [...(rule?.channels ?? [])],
    locations: [...(rule?.locations ?? [])],
    tiers: [...(rule?.tiers ?? [])],
    segments: [...(rule?.segments ?? [])],
    validFrom: toZonedInput(rule?.validFrom, zone),
    validTo: toZonedInput(rule?.validTo, zone),
    minBasket: numberText(rule && rule.type !== "action" ? rule.minBasket : 0),
    pointsPerUnit: rule ? n("pointsPerUnit") : "1",
    unitMinor: rule ? n("unitMinor") : "100",
    match: matchText((r.match ?? r.products) as Parameters<typeof matchText>[0]),
    slabs: slabs.map((s) => `${s.minAmount}: ${s.points}`).join("\n"),
    pointsPerItem: n("pointsPerItem"),
    points: n("points"),
    minAmount: n("minAmount"),
    factor: n("factor"),
    stackable: Boolean(r.stackable),
    weekdays: (r.weekdays as number[] | undefined) ?? [],
    birthday: Boolean(r.birthday),
    event: (r.event as string | undefined) ?? "",
    limit: (r.limit as Draft["limit"] | undefined) ?? "once",
  };
}

/** "20000: 4" per line → slabs; a line that does not parse is sent as NaN for the server to point at. */
const slabsOf = (text: string) =>
  text
    .split("\n")
    .filter((line) => line.trim())
    .map((line) => {
      const [minAmount = "", points = ""] = line.split(":");
      return { minAmount: Number(minAmount), points: Number(points) };
    });

/** The rule to send: every field of the chosen type, and none of another's. */
export function ruleOf(d: Draft, zone: string): RuleInput {
  const common = {
    id: d.id.trim(),
    name: d.name.trim() || undefined,
    enabled: d.enabled,
    priority: optionalNumber(d.priority) ?? 0,
    stopProcessing: d.stopProcessing,
    channels: d.channels,
    locations: d.locations,
    tiers: d.tiers,
    validFrom: fromZonedInput(d.validFrom, zone),
    validTo: fromZonedInput(d.validTo, zone),
    minBasket: optionalNumber(d.minBasket) ?? 0,
    // Left out when none is chosen: the filter is optional, and stored rules without it read back unchanged.
    ...(d.segments.length > 0 ? { segments: d.segments } : {}),
  };
  const byType = {
    base_rate: {
      pointsPerUnit: Number(d.pointsPerUnit),
      unitMinor: Number(d.unitMinor),
      match: matchValue(d.match, true),
    },
    slabs: { slabs: slabsOf(d.slabs) },
    per_item: { match: matchValue(d.match), pointsPerItem: Number(d.pointsPerItem) },
    per_visit: { points: Number(d.points), minAmount: optionalNumber(d.minAmount) ?? 0 },
    multiplier: {
      factor: Number(d.factor),
      stackable: d.stackable,
      weekdays: d.weekdays,
      birthday: d.birthday,
      products: matchValue(d.match, true),
    },
    exclusion: { match: matchValue(d.match) },
    action: { event: d.event.trim(), points: Number(d.points), limit: d.limit, minBasket: 0 },
  }[d.type];
  return { ...common, ...byType, type: d.type } as RuleInput;
}
