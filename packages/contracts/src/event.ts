import { z } from "zod";
import { Channel, CustomerRef, ExternalId, LocationId, StoredExternalId, Timestamp } from "./primitives.ts";
import { StorableJson } from "./text.ts";

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

/** What `properties` may take as JSON: 8 KiB. */
const maxPropertiesSize = 8_192;
// TextEncoder, not Buffer: the admin and kiosk apps validate with these schemas in the browser.
const utf8 = new TextEncoder();
/** A posted event's `properties` are measured in UTF-8 bytes, what is stored and carried, not in characters. */
const utf8Bytes = (json: string) => utf8.encode(json).length;
/**
 * A stored event's are measured in UTF-16 units, as the gateway measured them before it counted bytes: an event
 * accepted then with more than 8 KiB of UTF-8 must still be read by the consumers, not dead-lettered for its size.
 */
const utf16Units = (json: string) => json.length;

/** An event's fields, over the id schema and the `properties` measure of the posted or the stored form. */
const eventShape = (id: typeof StoredExternalId, sizeOfProperties: (json: string) => number) => ({
  eventId: id.meta({
    description:
      "Your unique id of this event within your tenant, 1-128 printable ASCII characters without spaces, not only " +
      "dots (`.` and `..` would read as path steps in its status URL). It is the " +
      "idempotency key: posting the same event again answers 202 with `duplicate: true` and changes nothing; posting " +
      "another body under it answers 409 `idempotency_conflict`.",
    examples: ["app-7f3a9c-000017"],
  }),
  type: z
    .string()
    .regex(/^[a-z][a-z0-9_]{1,63}$/, "must be a snake_case event type such as app_open")
    .meta({
      description: `What happened, in snake_case (2-64 characters). The programme reacts to ${knownEventTypes.join(", ")}; other types are kept for analytics.`,
      examples: ["app_open"],
    }),
  occurredAt: Timestamp.meta({
    description:
      "When it happened: ISO 8601 with an offset. Accepted from 35 days in the past to 5 minutes ahead of the gateway's " +
      "clock, by default; outside that window the answer is 400 `occurred_at_out_of_range`.",
  }),
  customer: CustomerRef.nullish().meta({
    description: "Who did it, by exactly one identity; omit (or null) for an anonymous visitor.",
  }),
  locationId: LocationId.meta({
    description: "Your id of the store it happened in, if any: 1-64 letters, digits, '-' or '_'.",
  }).nullish(),
  channel: Channel.nullish().meta({
    description:
      "Where it happened: kiosk, pos, app, web or delivery. It follows from the API key: a pos or kiosk key posts its " +
      "own channel only, an app key app or web, an admin key any (see `POST /v1/events`); omitted, a pos, kiosk or " +
      "app key's own channel is filled in.",
  }),
  properties: StorableJson(z.record(z.string().max(64, "keys must be at most 64 characters"), z.unknown()))
    .default({})
    .refine((p) => sizeOfProperties(JSON.stringify(p)) <= maxPropertiesSize, "must serialise to at most 8 KiB")
    .meta({
      description:
        "Free-form details (form id, campaign, screen): keys up to 64 characters, nested at most 8 levels, at most 8 KiB " +
        "(8192 bytes) as UTF-8 JSON; strings and keys without control characters, no key named __proto__.",
      examples: [{ screen: "home" }],
    }),
});

/**
 * `POST /v1/events`: behavioural events from the app, kiosk and message providers. Unknown fields are refused: a
 * misspelt `locationId` or `channel`, dropped, would record the event without it.
 */
export const BehaviouralEventInput = z.strictObject(eventShape(ExternalId, utf8Bytes)).meta({
  id: "BehaviouralEventInput",
  description:
    "Something a customer did that is not a purchase: opened the app, submitted a form, clicked a message. " +
    "`customer`, when given, names exactly one identity; `occurredAt` lies in the accepted window. Other fields " +
    "are refused; free-form details go in `properties`.",
});
export type BehaviouralEventInput = z.infer<typeof BehaviouralEventInput>;

/**
 * An event as the streams carry it, which consumers read: tolerant of fields it does not know and of ids accepted
 * before `ExternalId` refused some, so that nothing stored and answered 202 is refused for its request's shape.
 */
export const StoredBehaviouralEvent = z.object(eventShape(StoredExternalId, utf16Units));

export const EventAccepted = z
  .object({
    id: z
      .string()
      .meta({ description: "Our id of the event, derived from your tenant and `eventId` (the same on every retry)." }),
    eventId: z.string().meta({ description: "Your `eventId`, echoed." }),
    status: z.literal("accepted").meta({ description: "Stored durably; processed asynchronously." }),
    duplicate: z.boolean().meta({ description: "True when this `eventId` was accepted before: nothing changed." }),
  })
  .meta({ id: "EventAccepted", description: "The event is stored and will be processed." });
