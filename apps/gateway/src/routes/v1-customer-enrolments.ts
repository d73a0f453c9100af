import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { ConsentChannel, ConsentPurpose, ConsentStatement, E164Phone, LocationId } from "@regulars/contracts";
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
    phone: E164Phone.meta({
      description:
        "The customer's phone number in E.164 form ('+', country code, number, no spaces). It must be a valid " +
        "number of its country's numbering plan, not only of a possible length as a sale's may be: a person signing " +
        "up can be asked to retype a typo, which would otherwise be an account that never gets an SMS. One that is " +
        "not valid is a 400 (`invalid_request`) naming `phone`. Stored canonically, as a sale's phone is; a 0 kept " +
        "after a country code without a trunk prefix is dropped (+480600200402 enrols +48600200402).",
      examples: ["+48600100200"],
    }),
    locationId: LocationId.meta({
      description: "Your id of the store the till is in: kept with each consent as its source, `till:<locationId>`.",
      examples: ["store-017"],
    }),
    consents: TillConsents.default([]).meta({
      description:
        "The choices the customer made at the till, one per channel and purpose; none when absent. Recorded only " +
        "for a channel and purpose the phone's customer never chose on: see `consentsIgnored`.",
    }),
  })
  .meta({ id: "EnrolCustomerRequest", description: "A customer signing up by phone at a till, with their consents." });

const Enrolment = z
  .object({
    customerId: z.string().meta({ description: "The customer's Regulars id.", examples: [exampleCustomerId] }),
    created: z
      .boolean()
      .meta({ description: "True when this enrolment created the customer; false when the phone had one." }),
    consentsIgnored: z.array(z.object({ channel: ConsentChannel, purpose: ConsentPurpose })).meta({
      description:
        "The till's choices not recorded because the customer had already made a different one for that channel " +
        "and purpose (in the app, say): a till cannot prove the person at it owns the phone, so it never changes " +
        "a choice already made. Empty for a new customer.",
      examples: [[{ channel: "email", purpose: "marketing" }]],
    }),
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
    "(`customer.created`, cause `enrolment`). The phone must be a valid number (a 400 naming `phone` otherwise), " +
    "where a sale's need only be of a possible length: ask the customer to check it. A choice for a channel and " +
    "purpose the customer never chose on (neither granted nor refused) is added to the consent history with source " +
    "`till:<locationId>` and announced (`consent.changed`), as `PUT /v1/customers/{id}/consents` records it; a " +
    "choice they already made is never changed from a till, and a different one is answered in `consentsIgnored`. " +
    "A repeated request changes nothing. " +
    "Erasure deletes the phone's link to its customer, so the phone of a customer whose personal data was erased " +
    "enrols a new customer (201).",
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
