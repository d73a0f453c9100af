import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import type { Bus, CoalescingPublisher } from "@regulars/bus";
import { BehaviouralEventInput, EventAccepted, type EventMessage, inexactNumbers } from "@regulars/contracts";
import { customerOwnEventTypes, eventRefusal, withPostersChannel } from "@regulars/contracts/api-access";
import { DomainError } from "@regulars/errors";
import { stableId } from "@regulars/ids";
import type { GatewayEnv } from "../context.ts";
import { admitEvent, type RecordedEvents } from "../event-intake.ts";
import { invalidBody } from "../json-body.ts";
import { type Acceptance, outOfRange } from "./acceptance.ts";
import { errorResponse, errorResponses, exampleTokens, securitySchemeName } from "./openapi-shared.ts";

const { secondsAgo, serial } = exampleTokens;

const route = createRoute({
  method: "post",
  path: "/v1/events",
  operationId: "postEvent",
  tags: ["Events"],
  summary: "Record a behavioural event",
  description:
    "app_open, form_submitted, feedback_submitted, push_opened, ... Stored durably before the 202; the programme's " +
    "action rules award points for it asynchronously. `eventId` is the idempotency key: posting it again answers " +
    "`duplicate: true` and changes nothing, even once `occurredAt` has left the accepted window; posting it with a " +
    "different body answers 409 `idempotency_conflict`, however long after. (Only a changed body posted more than an " +
    "hour after the first, while that first is not decided yet, is answered 202 and refused by the resolver: the " +
    "first event stands and `GET /v1/events/{eventId}` counts the refused bodies in `conflicts`.) " +
    "Posted by tills and kiosks (pos, kiosk keys), the brand app's backend (app key) or an admin. The key decides " +
    "the `channel`, by which action rules pay: a pos key posts channel `pos`, a kiosk key `kiosk`, an app key `app` " +
    "or `web`, an admin key any; another answers 403 `channel_not_allowed`. Omitted (as in the examples), the " +
    "key's own channel is recorded (`app` for an app key; none for an admin key). The customer's own doings (" +
    `${customerOwnEventTypes.map((t) => `\`${t}\``).join(", ")}) come from an app or admin key only: a pos or ` +
    "kiosk key posting one is answered 403 `event_type_not_allowed`. Nothing is stored on a 403.",
  security: [{ [securitySchemeName]: [] }],
  request: {
    body: {
      required: true,
      description: "The event.",
      content: {
        "application/json": {
          schema: BehaviouralEventInput,
          examples: {
            // No `channel`: the key's own is recorded, so any key that may post events is answered 202 for either.
            appOpen: {
              summary: "A member opened the app (no channel: the key's own is recorded, `app` for an app key)",
              value: {
                eventId: `app-${serial}-000017`,
                type: "app_open",
                occurredAt: secondsAgo(30),
                customer: { phone: "+48600100200" },
              },
            },
            formSubmitted: {
              summary:
                "A member filled in the profile form (no channel: the key's own is recorded, `kiosk` for a kiosk key)",
              value: {
                eventId: `kiosk3-${serial}-form-000004`,
                type: "form_submitted",
                occurredAt: secondsAgo(90),
                customer: { cardNumber: "CARD-000417" },
                locationId: "store-017",
                properties: { form: "profile", fields: 6 },
              },
            },
          },
        },
      },
    },
  },
  responses: {
    202: {
      description: "Accepted and stored (or accepted before: `duplicate: true`)",
      content: { "application/json": { schema: EventAccepted } },
    },
    ...errorResponses,
    403: errorResponse(
      "The key's role may not post events (`forbidden`), may not name this `channel` (`channel_not_allowed`) or may " +
        "not post this `type` (`event_type_not_allowed`); nothing was stored",
      "channel_not_allowed",
      "a kiosk key posts events of channel kiosk only, not app",
    ),
    409: errorResponse(
      "This `eventId` was accepted before with a different body (`idempotency_conflict`): nothing was stored; " +
        "post a changed event under a new `eventId`",
      "idempotency_conflict",
      "eventId app-7f3a9c-000017 was accepted before with a different body",
    ),
  },
});

export function registerEventRoutes(
  app: OpenAPIHono<GatewayEnv>,
  bus: Bus,
  publisher: CoalescingPublisher,
  acceptance: Acceptance,
  recordedBefore?: RecordedEvents,
) {
  app.openapi(route, async (c) => {
    const posted = c.req.valid("json");
    const { tenantId, role } = c.get("credential");
    // Before anything is looked up or stored: the channel pays action rules, so it is the key's, not the body's word.
    const refusal = eventRefusal(role, posted);
    if (refusal) throw new DomainError(refusal.code, refusal.message);
    const event = withPostersChannel(role, posted);
    const inexact = inexactNumbers(event.properties, ["properties"]);
    if (inexact.length) throw invalidBody({ issues: inexact });
    const receivedAt = acceptance.now();
    const id = stableId("event", tenantId, event.eventId);
    const message: EventMessage = { tenantId, id, receivedAt: receivedAt.toISOString(), event };
    // The window has moved on since a retry's original was stored: a repeat is answered as one, whatever the clock.
    const late = outOfRange(event.occurredAt, receivedAt, acceptance);
    const published = await admitEvent(bus, publisher, message, late, recordedBefore, posted);
    return c.json({ id, eventId: event.eventId, status: "accepted" as const, duplicate: published.duplicate }, 202);
  });
}
