import { z } from "zod";
import { Channel, CustomerRef, ExternalId, LocationId, Timestamp } from "./primitives.ts";
import { unstorableJson } from "./text.ts";

/** Event types the product reacts to; integrators may send other snake_case types for analytics. */
export const knownEventTypes = [
  "app_open",
  "form_submitted",
  "feedback_submitted",
  "profile_completed",
  "push_opened",
  "push_clicked",
  "email_opened",
  "email_clicked",
  "sms_clicked",
  "page_view",
] as const;

/** `POST /v1/events`: behavioural events from the app, kiosk and message providers. */
export const BehaviouralEventInput = z.object({
  eventId: ExternalId,
  type: z.string().regex(/^[a-z][a-z0-9_]{1,63}$/, "must be a snake_case event type such as app_open"),
  occurredAt: Timestamp,
  customer: CustomerRef.nullish(),
  locationId: LocationId.nullish(),
  channel: Channel.nullish(),
  properties: z
    .record(z.string().max(64, "keys must be at most 64 characters"), z.unknown())
    .default({})
    .superRefine((p, ctx) => {
      for (const problem of unstorableJson(p)) ctx.addIssue({ code: "custom", path: problem.path, message: problem.message });
    })
    .refine((p) => JSON.stringify(p).length <= 8_192, "must serialise to at most 8 KiB"),
});
export type BehaviouralEventInput = z.infer<typeof BehaviouralEventInput>;

export const EventAccepted = z.object({
  id: z.string(),
  eventId: z.string(),
  status: z.literal("accepted"),
  duplicate: z.boolean(),
});
