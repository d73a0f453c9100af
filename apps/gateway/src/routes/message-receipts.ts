import { timingSafeEqual } from "node:crypto";
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { SafeText } from "@regulars/contracts";
import { type Db, isTransientDbError } from "@regulars/db";
import { DomainError } from "@regulars/errors";
import { recordDeliveryReceipt } from "@regulars/messages-store";
import type { GatewayEnv } from "../context.ts";
import { errorResponse, errorResponses } from "./openapi-shared.ts";

export const DeliveryReceiptRequest = z
  .strictObject({
    messageId: SafeText(1, 100).meta({
      description: "Our id of the message (`msg_…`), which every provider was given as its reference.",
      examples: ["msg_01jd4z8x9r3v7q2m5n6p8t0w1y"],
    }),
    status: z.enum(["delivered", "failed"]).meta({ description: "Delivered to the device, inbox or phone; or not." }),
    code: z
      .string()
      .regex(/^[a-z0-9_.-]{1,64}$/, "use 1-64 lower-case letters, digits, `_`, `.` or `-`")
      .optional()
      .meta({ description: "For `failed`: the provider's reason as a code (`bounced`, `expired`)." }),
    reason: SafeText(0, 500).optional().meta({ description: "For `failed`: the provider's words." }),
  })
  .meta({ id: "DeliveryReceiptRequest", description: "A provider's report on one message it took." });

const route = createRoute({
  method: "post",
  path: "/v1/messages/receipts/{provider}",
  operationId: "reportMessageDelivery",
  tags: ["Messages"],
  summary: "A provider reports a message delivered or failed",
  description:
    "For the message providers (SMS gateways, e-mail services) that report what became of a message after they took " +
    "it. Authenticated with the receipts secret (`Authorization: Bearer <MESSAGE_RECEIPTS_SECRET>`), not an API key. " +
    "A receipt moves the message's status forward only (an open or click already recorded stays) and is announced " +
    "once (`message.delivered`, `message.failed`): a provider may send the same receipt again.",
  request: {
    params: z.object({
      provider: z.string().meta({
        param: { name: "provider", in: "path" },
        description: "The provider's name (`http-sms`, `smtp`, `webhook`).",
      }),
    }),
    body: { required: true, content: { "application/json": { schema: DeliveryReceiptRequest } } },
  },
  responses: {
    202: {
      description: "Recorded; `status` is the message's status now",
      content: { "application/json": { schema: z.object({ status: z.string() }) } },
    },
    401: errorResponse(
      "Missing or wrong receipts secret (`unauthorized`)",
      "unauthorized",
      "a receipt needs the receipts secret",
    ),
    400: errorResponses[400],
    404: errorResponse("No message this provider sent has this id (`not_found`)", "not_found", "no such message"),
    413: errorResponses[413],
    415: errorResponses[415],
    500: errorResponses[500],
    503: errorResponses[503],
  },
});

const secretMatches = (given: string, expected: string): boolean => {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
};

/** Delivery receipts from providers, registered only where a receipts secret is configured. */
export function registerMessageReceiptRoute(
  app: OpenAPIHono<GatewayEnv>,
  deps: { db: Db; secret: string; now: () => Date },
) {
  app.openapi(route, async (c) => {
    const given = c.req.header("authorization")?.replace(/^Bearer\s+/i, "") ?? "";
    if (!secretMatches(given, deps.secret))
      throw new DomainError("unauthorized", "a receipt needs the receipts secret as 'Authorization: Bearer <secret>'");
    const { provider } = c.req.valid("param");
    const body = c.req.valid("json");
    try {
      const recorded = await recordDeliveryReceipt(
        deps.db,
        body.messageId,
        provider,
        body.status === "delivered"
          ? { status: "delivered" }
          : {
              status: "failed",
              code: body.code ?? "bounced",
              reason: body.reason ?? "reported failed by the provider",
            },
        deps.now(),
      );
      if (!recorded) throw new DomainError("not_found", `no message ${body.messageId} sent by ${provider}`);
      return c.json({ status: recorded.status }, 202);
    } catch (e) {
      if (isTransientDbError(e)) throw new DomainError("unavailable", "the receipt could not be recorded, retry later");
      throw e;
    }
  });
}
