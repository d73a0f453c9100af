import { suggestedLimits } from "@regulars/contracts/campaign-limits";
import type { Definition, TriggerType } from "./definition.ts";

type Limits = NonNullable<Definition["limits"]>;
export type PerCustomer = NonNullable<Limits["perCustomer"]>;
export type FrequencyCap = NonNullable<Limits["frequencyCaps"]>[number];
export type QuietHours = NonNullable<NonNullable<Definition["delivery"]>["quietHours"]>;

/** The builder's limits: how often one customer is reached, caps across campaigns, and the hours kept quiet. */
export interface LimitsDraft {
  perCustomer: PerCustomer;
  frequencyCaps: FrequencyCap[];
  quietHours: QuietHours | null;
  /**
   * False while the per-customer rule and caps are the trigger's suggestion, so choosing another trigger suggests
   * again; true once someone changed them (or they were saved), so a change of trigger keeps what was chosen.
   */
  edited: boolean;
}

/** The schema's own limits for a campaign that never chose any. */
const schemaDefault: Limits = { perCustomer: { mode: "once" }, frequencyCaps: [] };

/** What quiet hours start as when switched on: evenings and nights, the hours guests least want a message. */
export const defaultQuietHours: QuietHours = { start: "21:00", end: "08:00" };

/** A cap as it starts when added: one message a day across every channel. */
export const defaultCap: FrequencyCap = { max: 1, windowHours: 24 };

/** A new campaign's limits: the trigger's suggestion, no quiet hours. */
export const suggestedDraft = (triggerType: TriggerType): LimitsDraft => {
  const { perCustomer, frequencyCaps } = suggestedLimits(triggerType);
  return { perCustomer, frequencyCaps, quietHours: null, edited: false };
};

/** A saved campaign's limits as its definition holds them; they count as chosen, so no trigger change replaces them. */
export const savedDraft = (definition: Definition): LimitsDraft => ({
  perCustomer: definition.limits?.perCustomer ?? schemaDefault.perCustomer!,
  frequencyCaps: definition.limits?.frequencyCaps ?? [],
  quietHours: definition.delivery?.quietHours ?? null,
  edited: true,
});

/** The limits after the trigger changed: suggested again unless they were chosen. Quiet hours stay as set. */
export const afterTriggerChange = (draft: LimitsDraft, triggerType: TriggerType): LimitsDraft =>
  draft.edited ? draft : { ...suggestedDraft(triggerType), quietHours: draft.quietHours };

/** The definition with the draft's limits and quiet hours in it, the rest of its delivery kept. */
export const withLimits = (definition: Definition, draft: LimitsDraft): Definition => ({
  ...definition,
  limits: { perCustomer: draft.perCustomer, frequencyCaps: draft.frequencyCaps },
  delivery: { ...definition.delivery, quietHours: draft.quietHours },
});
