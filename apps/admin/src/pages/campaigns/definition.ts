import { suggestedLimits } from "@regulars/contracts/campaign-limits";
import type { RouterInputs, RouterOutputs } from "@regulars/web-ui";

/** The definition as the API takes it, and its parts as the builder edits them. */
export type Definition = RouterInputs["campaigns"]["create"];
export type Trigger = Definition["trigger"];
export type TriggerType = Trigger["type"];
export type Audience = Definition["audience"];
export type Action = Definition["actions"][number];
export type ActionType = Action["type"];
export type Schedule = Extract<Trigger, { type: "broadcast" }>["schedule"];
export type Campaign = RouterOutputs["campaigns"]["get"];
export type CampaignStatus = Campaign["status"];

/** A step with a key of its own, so React keeps the right inputs while steps are added, moved and removed. */
export interface UiStep {
  key: string;
  action: Action;
}

let lastKey = 0;
export const stepOf = (action: Action): UiStep => ({ key: `s${++lastKey}`, action });

export const triggerTypes: TriggerType[] = [
  "broadcast",
  "always_on",
  "segment_entered",
  "registered",
  "first_purchase",
  "profile_completed",
  "tier_reached",
  "tier_gap",
  "points_milestone",
  "points_expiring",
  "birthday",
  "inactive",
  "domain_event",
];

/** Triggers that reach an audience the definition names; the others reach whoever the trigger names. */
export const audienceTriggers: TriggerType[] = ["broadcast", "always_on"];

/** A minute from now, whole seconds: a broadcast "once" must lie after the moment it is scheduled. */
const soon = () => new Date(Math.ceil((Date.now() + 60_000) / 1_000) * 1_000).toISOString();

export function defaultTrigger(type: TriggerType, segmentId = ""): Trigger {
  switch (type) {
    case "broadcast":
      return { type, schedule: { repeat: "once", at: soon() } };
    case "segment_entered":
      return { type, segmentId };
    case "points_expiring":
      return { type, daysBefore: 14 };
    case "birthday":
      return { type, daysBefore: 0 };
    case "inactive":
      return { type, days: 60 };
    case "tier_gap":
      return { type, tierId: "", within: 20 };
    case "domain_event":
      return { type, eventType: "transaction.processed", conditions: [] };
    default:
      return { type } as Trigger;
  }
}

export function defaultSchedule(repeat: Schedule["repeat"]): Schedule {
  switch (repeat) {
    case "once":
      return { repeat, at: soon() };
    case "daily":
      return { repeat, time: "18:00" };
    case "weekly":
      return { repeat, time: "18:00", weekdays: [5] };
    case "monthly":
      return { repeat, time: "18:00", dayOfMonth: 1 };
  }
}

export function defaultAction(type: ActionType): Action {
  switch (type) {
    case "send_message":
      return { type, channel: "push", templateId: "" };
    case "issue_coupon":
      return { type, couponCampaignId: "" };
    case "award_points":
      return { type, points: 100, reason: "" };
  }
}

export const emptyDefinition = (): Definition => ({
  name: "",
  audience: { kind: "all_members" },
  trigger: defaultTrigger("broadcast"),
  actions: [defaultAction("send_message")],
  controlGroup: null,
});

/**
 * The definition a save sends. A new campaign without limits of its own gets the ones its trigger suggests: the
 * API's default (`once`) would let a weekly broadcast or a birthday greeting reach each customer a single time ever.
 * Limits the builder set, and an edited campaign's, go as they are.
 */
export const definitionToSave = (definition: Definition, isNew: boolean): Definition =>
  isNew && !definition.limits ? { ...definition, limits: suggestedLimits(definition.trigger.type) } : definition;

/** The moves an admin may make from each status (the lifecycle's), as the buttons that make them. */
export const statusMoves: Record<CampaignStatus, ("schedule" | "activate" | "pause" | "resume" | "archive")[]> = {
  draft: ["schedule", "activate", "archive"],
  scheduled: ["pause", "archive"],
  active: ["pause", "archive"],
  paused: ["resume", "archive"],
  archived: [],
};
