import type { CampaignTargeting } from "./consent.ts";

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

const optionalString = (value: unknown): value is string | undefined =>
  value === undefined || typeof value === "string";

const only = <T>(key: string, value: T | undefined) => (value === undefined ? {} : { [key]: value });

/**
 * A saved definition's audience and trigger, read loosely: only what decides profiling (`choosesByBehaviour`),
 * whatever else a later release saved beside them. Null when either is missing or not of this shape: what cannot be
 * read counts as choosing by behaviour, erring on the customer's side. The planner judging a follow-up's cause and the
 * sender's check both read definitions here, so they agree on what a definition says. Written by hand rather than
 * with zod: this package stays free of it.
 */
export function readTargeting(definition: unknown): CampaignTargeting | null {
  if (!isRecord(definition)) return null;
  const { audience, trigger } = definition;
  if (!isRecord(audience) || typeof audience.kind !== "string" || !optionalString(audience.segmentId)) return null;
  if (!isRecord(trigger) || typeof trigger.type !== "string") return null;
  if (!optionalString(trigger.segmentId) || !optionalString(trigger.eventType)) return null;
  const { conditions } = trigger;
  const conditionsRead =
    conditions === undefined || (Array.isArray(conditions) && conditions.every((c) => typeof c?.field === "string"));
  if (!conditionsRead) return null;
  return {
    audience: { kind: audience.kind, ...only("segmentId", audience.segmentId) },
    trigger: {
      type: trigger.type,
      ...only("segmentId", trigger.segmentId),
      ...only("eventType", trigger.eventType),
      ...only(
        "conditions",
        (conditions as { field: string }[] | undefined)?.map((c) => ({ field: c.field })),
      ),
    },
  };
}
