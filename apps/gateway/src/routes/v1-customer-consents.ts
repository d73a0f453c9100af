import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import {
  ConsentsInForce,
  PushDevice,
  type PushEndpointPolicy,
  PushTokenRequest,
  SetConsentsRequest,
  webPushTokenProblem,
} from "@regulars/contracts";
import { removePushToken, savePushToken, setConsents } from "@regulars/customers-store";
import type { Db } from "@regulars/db";
import { DomainError } from "@regulars/errors";
import type { GatewayEnv } from "../context.ts";
import {
  bodilessCustomerFailures,
  CustomerIdParams,
  customerFailures,
  customerNotFound,
  customerRouteBase,
  orUnavailable,
} from "./customer-shared.ts";

const consentsRoute = createRoute({
  ...customerRouteBase,
  method: "put",
  path: "/v1/customers/{customerId}/consents",
  operationId: "setCustomerConsents",
  summary: "Record the customer's consent choices",
  description:
    "Per channel (push, sms, email) and purpose (marketing, profiling). Each choice is added to the customer's " +
    "consent history with its time and `source`; one that changes the consent in force is announced " +
    "(`consent.changed`). Repeating the choice in force records it again as the latest, unannounced: nothing changes " +
    "in force. A choice dated before the one in force is kept in the history only when it differs from it, and does " +
    "not take over. A retry with the same `occurredAt` records nothing again; without `occurredAt` a retry is a " +
    "repeat. Channels and purposes not named stay as they were. " +
    "A choice dated ahead of our clock ranks as received, so a choice made after it always takes over. " +
    "No message is sent on a channel without a granted `marketing` consent; a campaign that picks its audience from " +
    "behaviour (inactivity, a segment that reads orders, spend, visits, products or events, or a domain event " +
    "trigger with conditions on what the customer bought or did) also needs `profiling` on that channel.",
  request: {
    params: CustomerIdParams,
    body: {
      required: true,
      content: {
        "application/json": {
          schema: SetConsentsRequest,
          examples: {
            settings: {
              summary: "Turned off marketing e-mails in the app's settings",
              value: { consents: [{ channel: "email", purpose: "marketing", granted: false }], source: "app:settings" },
            },
            onboarding: {
              summary: "Agreed to push offers chosen from their orders",
              value: {
                consents: [
                  { channel: "push", purpose: "marketing", granted: true },
                  { channel: "push", purpose: "profiling", granted: true },
                ],
                source: "app:onboarding",
              },
            },
          },
        },
      },
    },
  },
  responses: {
    200: { description: "The consents in force now", content: { "application/json": { schema: ConsentsInForce } } },
    ...customerFailures,
    404: customerNotFound,
  },
});

const saveTokenRoute = createRoute({
  ...customerRouteBase,
  method: "post",
  path: "/v1/customers/{customerId}/push-tokens",
  operationId: "saveCustomerPushToken",
  summary: "Register a device's push token for the customer",
  description:
    "Adds the device or replaces its token. A device belongs to one customer: registering it for another customer " +
    "(someone else signed in on it) moves it, and a token registered under a new device id leaves the old one. " +
    "A `web` token is the browser's PushSubscription JSON; its endpoint must be an https URL of a public push " +
    "service (not an IP address, this machine or a private network).",
  request: {
    params: CustomerIdParams,
    body: {
      required: true,
      content: {
        "application/json": {
          schema: PushTokenRequest,
          examples: {
            ios: {
              summary: "An iPhone's APNs token",
              value: { deviceId: "7D3C2F1A-0B4E-4C8D-9A6F-2E5B1C7D8E90", platform: "ios", token: "80f1c3a9b2d4e6f8" },
            },
            web: {
              summary: "A browser's push subscription, as PushSubscription.toJSON() gives it",
              value: {
                deviceId: "browser-5c1e9a",
                platform: "web",
                token: JSON.stringify({
                  endpoint: "https://fcm.googleapis.com/fcm/send/dK3x9Qp2:APA91bH7wXk",
                  expirationTime: null,
                  keys: {
                    p256dh: "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u",
                    auth: "tBHItJI5svbpez7KI4CCXg",
                  },
                }),
              },
            },
          },
        },
      },
    },
  },
  responses: {
    200: { description: "The device as registered", content: { "application/json": { schema: PushDevice } } },
    ...customerFailures,
    404: customerNotFound,
  },
});

const removeTokenRoute = createRoute({
  ...customerRouteBase,
  method: "delete",
  path: "/v1/customers/{customerId}/push-tokens/{deviceId}",
  operationId: "removeCustomerPushToken",
  summary: "Forget a device's push token (signed out, app removed)",
  description: "Removing a device the customer does not have changes nothing and answers the same.",
  request: {
    params: CustomerIdParams.extend({
      deviceId: z
        .string()
        .regex(/^[\x21-\x7E]{1,128}$/, "use 1-128 printable characters without spaces")
        .meta({ param: { name: "deviceId", in: "path" }, description: "Your app's id of the device installation." }),
    }),
  },
  responses: {
    204: { description: "The customer has no push token on this device now" },
    ...bodilessCustomerFailures,
    404: customerNotFound,
  },
});

/**
 * `pushEndpoints`: whether a browser's push endpoint may be on this machine or a private network over http (the
 * deployment's WEBHOOK_ALLOW_PRIVATE_URLS, for fake push services in development); strict when not given.
 */
export function registerCustomerConsentRoutes(
  app: OpenAPIHono<GatewayEnv>,
  db: Db,
  now: () => Date,
  pushEndpoints: PushEndpointPolicy = { allowPrivateNetworks: false },
) {
  app.openapi(consentsRoute, async (c) => {
    const { tenantId, keyId } = c.get("credential");
    const { customerId } = c.req.valid("param");
    const { consents, source, occurredAt } = c.req.valid("json");
    const origin = { actor: keyId, source: source ?? "app", now: now() };
    const inForce = await orUnavailable(() => setConsents(db, tenantId, customerId, { consents, occurredAt }, origin));
    return c.json({ consents: inForce }, 200);
  });
  app.openapi(saveTokenRoute, async (c) => {
    const { tenantId } = c.get("credential");
    const { customerId } = c.req.valid("param");
    const device = c.req.valid("json");
    // Our workers POST to a web device's endpoint: refused here, before it is stored, when it could not be sent to.
    const problem = device.platform === "web" ? webPushTokenProblem(device.token, pushEndpoints) : null;
    if (problem)
      throw new DomainError("invalid_request", "the request body is invalid: token", [
        { path: "token", message: problem },
      ]);
    return c.json(await orUnavailable(() => savePushToken(db, tenantId, customerId, device, now())), 200);
  });
  app.openapi(removeTokenRoute, async (c) => {
    const { tenantId } = c.get("credential");
    const { customerId, deviceId } = c.req.valid("param");
    await orUnavailable(() => removePushToken(db, tenantId, customerId, deviceId));
    return c.body(null, 204);
  });
}
