import { z } from "zod";
import { Channel, CustomerRef, ExternalId, LocationId, Timestamp } from "./primitives.ts";

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
    .record(z.string().max(64), z.unknown())
    .default({})
    .refine((p) => JSON.stringify(p).length <= 8_192, "must serialise to at most 8 KiB"),
});
export type BehaviouralEventInput = z.infer<typeof BehaviouralEventInput>;

export const EventAccepted = z.object({
  id: z.string(),
  eventId: z.string(),
  status: z.literal("accepted"),
  duplicate: z.boolean(),
});
