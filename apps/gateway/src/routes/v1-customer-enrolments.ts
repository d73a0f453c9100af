import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { ConsentStatement, E164Phone, LocationId } from "@regulars/contracts";
import { enrolAtTill } from "@regulars/customers-store";
import type { Db } from "@regulars/db";
import type { GatewayEnv } from "../context.ts";
import { customerFailures, customerRouteBase, exampleCustomerId, orUnavailable } from "./customer-shared.ts";
import { errorResponse } from "./openapi-shared.ts";

export const enrolmentPath = "/v1/customers/enrolments";

const TillConsents = z
  .array(ConsentStatement)
  .max(6, "at most 6: one per channel and purpose")
  .superRefine((list, ctx) => {
    const seen = new Set<string>();
    list.forEach((s, i) => {
      const key = `${s.channel}/${s.purpose}`;
      if (seen.has(key)) ctx.addIssue({ code: "custom", path: [i], message: `${key} is given twice` });
      seen.add(key);
    });
  });

const EnrolCustomerRequest = z
  .strictObject({
    phone: E164Phone,
    locationId: LocationId.meta({
      description: "Your id of the store the till is in: kept with each consent as its source, `till:<locationId>`.",
      examples: ["store-017"],
    }),
    consents: TillConsents.default([]).meta({
      description:
        "The choices the customer made at the till, one per channel and purpose; none when absent. A choice already " +
        "in force is not recorded again.",
    }),
  })
  .meta({ id: "EnrolCustomerRequest", description: "A customer signing up by phone at a till, with their consents." });

const Enrolment = z
  .object({
    customerId: z.string().meta({ description: "The customer's Regulars id.", examples: [exampleCustomerId] }),
    created: z
      .boolean()
      .meta({ description: "True when this enrolment created the customer; false when the phone had one." }),
  })
  .meta({ id: "Enrolment", description: "The customer with this phone, and whether the enrolment created them." });

const enrolRoute = createRoute({
  ...customerRouteBase,
  method: "post",
  path: enrolmentPath,
  operationId: "enrolCustomerAtTill",
  summary: "Enrol a customer by phone at a till, with the consents they gave there (`pos` and `kiosk` keys)",
  description:
    "Finds the customer with this phone, or creates them as a till's first sale would, and announces a new customer " +
    "(`customer.created`, cause `enrolment`). Each choice that changes the consent in force is added to the consent " +
    "history with source `till:<locationId>` and announced (`consent.changed`), as `PUT /v1/customers/{id}/consents` " +
    "records it; a repeated request changes nothing. A phone whose customer's personal data was erased answers 404.",
  request: {
    body: {
      required: true,
      content: {
        "application/json": {
          schema: EnrolCustomerRequest,
          examples: {
            smsOffers: {
              summary: "Agreed to SMS offers at the counter, declined e-mails",
              value: {
                phone: "+48600100300",
                locationId: "store-017",
                consents: [
                  { channel: "sms", purpose: "marketing", granted: true },
                  { channel: "email", purpose: "marketing", granted: false },
                ],
              },
            },
            phoneOnly: {
              summary: "Gave only a phone number",
              value: { phone: "+48600100301", locationId: "store-017", consents: [] },
            },
          },
        },
      },
    },
  },
  responses: {
    201: { description: "A new customer", content: { "application/json": { schema: Enrolment } } },
    200: { description: "The phone's customer, found", content: { "application/json": { schema: Enrolment } } },
    ...customerFailures,
    403: errorResponse(
      "The key's role may not call this (`forbidden`): it needs a `pos` or `kiosk` key",
      "forbidden",
      "an app key cannot do this; it needs a pos or kiosk key",
    ),
    404: errorResponse(
      "The phone's customer had their personal data erased (`not_found`): nothing was recorded",
      "not_found",
      `no customer ${exampleCustomerId}`,
    ),
  },
});

/** The tenant and the till's channel come from the key, never from the body. */
export function registerCustomerEnrolmentRoute(app: OpenAPIHono<GatewayEnv>, db: Db, now: () => Date) {
  app.openapi(enrolRoute, async (c) => {
    const { tenantId, keyId, role } = c.get("credential");
    const via = role === "kiosk" ? "kiosk" : "pos";
    const input = c.req.valid("json");
    const enrolled = await orUnavailable(() => enrolAtTill(db, tenantId, input, { actor: keyId, via, now: now() }));
    return enrolled.created ? c.json(enrolled, 201) : c.json(enrolled, 200);
  });
}
