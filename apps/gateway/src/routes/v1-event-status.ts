import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { EventStatusView, ExternalId } from "@regulars/contracts";
import type { Db } from "@regulars/db";
import { DomainError } from "@regulars/errors";
import { eventStatus } from "@regulars/ledger-store";
import type { GatewayEnv } from "../context.ts";
import { errorResponse, errorResponses, securitySchemeName } from "./openapi-shared.ts";

const route = createRoute({
  method: "get",
  path: "/v1/events/{eventId}",
  operationId: "getEventStatus",
  tags: ["Events"],
  summary: "What became of a posted event",
  description:
    "`processed` (recorded in the customer's history, with the action points it paid) or `rejected` (with a " +
    "machine-readable `reason.code` and a message, e.g. `unknown_customer`: events never create customers). An event " +
    "is decided within a second or so of its 202; until then this answers 404.",
  security: [{ [securitySchemeName]: [] }],
  request: {
    params: z.object({
      eventId: ExternalId.meta({
        description: "The `eventId` the event was posted with.",
        param: { name: "eventId", in: "path" },
      }),
    }),
  },
  responses: {
    200: { description: "Its outcome", content: { "application/json": { schema: EventStatusView } } },
    400: errorResponses[400],
    401: errorResponses[401],
    403: errorResponses[403],
    404: errorResponse(
      "No outcome is known of this `eventId` for your tenant (`not_found`): it was never accepted, it is still on its " +
        "way (retry in a second), or it was decided more than 60 days ago",
      "not_found",
      "no outcome of event app-000017 is known for this tenant",
    ),
    429: errorResponses[429],
    500: errorResponses[500],
    503: errorResponses[503],
  },
});

export function registerEventStatusRoute(app: OpenAPIHono<GatewayEnv>, db: Db) {
  app.openapi(route, async (c) => {
    const { eventId } = c.req.valid("param");
    const status = await eventStatus(db, c.get("credential").tenantId, eventId);
    if (!status) throw new DomainError("not_found", `no outcome of event ${eventId} is known for this tenant`);
    return c.json(status, 200);
  });
}
