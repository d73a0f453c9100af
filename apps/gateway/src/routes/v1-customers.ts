import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import {
  CustomerProfile,
  ProfileUpdate,
  RegisterCustomerRequest,
  Registration,
  UpdateProfileRequest,
} from "@regulars/contracts";
import { readProfile, registerCustomer, updateProfile } from "@regulars/customers-store";
import type { Db } from "@regulars/db";
import type { GatewayEnv } from "../context.ts";
import {
  bodilessCustomerFailures,
  CustomerIdParams,
  customerFailures,
  customerNotFound,
  customerRouteBase,
  orUnavailable,
  phoneTaken,
} from "./customer-shared.ts";

const registerRoute = createRoute({
  ...customerRouteBase,
  method: "post",
  path: "/v1/customers",
  operationId: "registerCustomer",
  summary: "Register a customer who signed up in the app",
  description:
    "Creates the customer, or answers the one this identity registered before (200, `existing`: nothing else " +
    "changes; use PATCH for the profile). A phone your backend proved by SMS (`phoneVerified: true`) that the tills " +
    "already know makes that customer the app account (200, `linked`): same id, points and history included. An " +
    "unproven phone is only kept on the profile, and refused (409) when another customer of the brand holds that " +
    "number. Phone numbers are stored in E.164 form.",
  request: {
    body: {
      required: true,
      content: {
        "application/json": {
          schema: RegisterCustomerRequest,
          examples: {
            apple: {
              summary: "Signed up with Apple, with every marketing consent",
              value: {
                externalIdentity: { provider: "apple", subject: "001234.5f0c9e2b7a.1042" },
                name: "Ada Nowak",
                email: "ada@example.com",
                consents: [
                  { channel: "push", purpose: "marketing", granted: true },
                  { channel: "sms", purpose: "marketing", granted: true },
                  { channel: "email", purpose: "marketing", granted: true },
                ],
                consentSource: "app:onboarding",
              },
            },
            provenPhone: {
              summary: "Signed up with Google and a phone proven by SMS: links the tills' customer with that number",
              value: {
                externalIdentity: { provider: "google", subject: "108722364411239847110" },
                phone: "+48 600 100 200",
                phoneVerified: true,
                dateOfBirth: "1990-04-17",
                preferences: { diet: "vegetarian" },
              },
            },
            brandAccount: {
              summary: "The brand's own account, a national phone number not proven yet",
              value: {
                externalIdentity: { provider: "brand", subject: "user-18211" },
                phone: "600 100 201",
                country: "PL",
              },
            },
          },
        },
      },
    },
  },
  responses: {
    201: { description: "A new customer", content: { "application/json": { schema: Registration } } },
    200: {
      description: "Registered before (`existing`), or the tills' customer with the proven phone (`linked`)",
      content: { "application/json": { schema: Registration } },
    },
    ...customerFailures,
    409: phoneTaken,
  },
});

const getRoute = createRoute({
  ...customerRouteBase,
  method: "get",
  path: "/v1/customers/{customerId}",
  operationId: "getCustomer",
  summary: "A customer's profile, consents in force and push devices",
  description: "A customer whose personal data was erased (GDPR) answers 404 `not_found`, never an empty profile.",
  request: { params: CustomerIdParams },
  responses: {
    200: { description: "The customer", content: { "application/json": { schema: CustomerProfile } } },
    ...bodilessCustomerFailures,
    404: customerNotFound,
  },
});

const updateRoute = createRoute({
  ...customerRouteBase,
  method: "patch",
  path: "/v1/customers/{customerId}",
  operationId: "updateCustomerProfile",
  summary: "Change a customer's profile",
  description:
    "Absent fields stay, `null` clears, preferences merge key by key. A newly proven phone that the tills know " +
    "merges that customer into this one: their identities, sales and balances (points with their expiry, wallet " +
    "cash) move here, listed in `mergedCustomerIds`. An erased customer answers 404 `not_found` and nothing changes.",
  request: {
    params: CustomerIdParams,
    body: {
      required: true,
      content: {
        "application/json": {
          schema: UpdateProfileRequest,
          examples: {
            profile: {
              summary: "Filled in the profile form",
              value: {
                name: "Ada Nowak",
                dateOfBirth: "1990-04-17",
                preferences: { diet: "vegan", favouriteStore: null },
              },
            },
            provenPhone: {
              summary: "Proved a phone number by SMS",
              value: { phone: "+48 600 100 202", phoneVerified: true },
            },
          },
        },
      },
    },
  },
  responses: {
    200: { description: "The profile after the change", content: { "application/json": { schema: ProfileUpdate } } },
    ...customerFailures,
    404: customerNotFound,
    409: phoneTaken,
  },
});

export function registerCustomerRoutes(app: OpenAPIHono<GatewayEnv>, db: Db, now: () => Date) {
  const origin = (keyId: string) => ({ actor: keyId, source: "app", now: now() });
  app.openapi(registerRoute, async (c) => {
    const { tenantId, keyId } = c.get("credential");
    const result = await orUnavailable(() => registerCustomer(db, tenantId, c.req.valid("json"), origin(keyId)));
    return c.json(result, result.outcome === "created" ? 201 : 200);
  });
  app.openapi(getRoute, async (c) => {
    const { tenantId } = c.get("credential");
    return c.json(await orUnavailable(() => readProfile(db, tenantId, c.req.valid("param").customerId)), 200);
  });
  app.openapi(updateRoute, async (c) => {
    const { tenantId, keyId } = c.get("credential");
    const { customerId } = c.req.valid("param");
    const body = c.req.valid("json");
    return c.json(await orUnavailable(() => updateProfile(db, tenantId, customerId, body, origin(keyId))), 200);
  });
}
