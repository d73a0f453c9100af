import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { publishJson, type Bus } from "@regulars/bus";
import { BehaviouralEventInput, EventAccepted, type EventMessage } from "@regulars/contracts";
import { stableId } from "@regulars/ids";
import type { GatewayEnv } from "../context.ts";
import { type Acceptance, refuseOutOfRange } from "./acceptance.ts";
import { errorResponses } from "./openapi-shared.ts";
import { publishOrUnavailable } from "./v1-transactions.ts";

const route = createRoute({
  method: "post",
  path: "/v1/events",
  summary: "Record a behavioural event",
  description: "app_open, form_submitted, feedback_submitted, push_opened, ... `eventId` is the idempotency key.",
  security: [{ apiKey: [] }],
  request: { body: { required: true, content: { "application/json": { schema: BehaviouralEventInput } } } },
  responses: {
    202: { description: "Accepted and stored", content: { "application/json": { schema: EventAccepted } } },
    ...errorResponses,
  },
});

export function registerEventRoutes(app: OpenAPIHono<GatewayEnv>, bus: Bus, acceptance: Acceptance) {
  app.openapi(route, async (c) => {
    const event = c.req.valid("json");
    const { tenantId } = c.get("credential");
    const receivedAt = acceptance.now();
    refuseOutOfRange(event.occurredAt, receivedAt, acceptance);
    const id = stableId("event", tenantId, event.eventId);
    const message: EventMessage = { tenantId, id, receivedAt: receivedAt.toISOString(), event };
    const published = await publishOrUnavailable(() =>
      publishJson(bus.js, bus.topology.subjects.event(tenantId, event.type), message, `${tenantId}:${event.eventId}`),
    );
    return c.json({ id, eventId: event.eventId, status: "accepted" as const, duplicate: published.duplicate }, 202);
  });
}
