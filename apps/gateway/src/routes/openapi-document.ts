import { OpenApiGeneratorV31 } from "@asteasolutions/zod-to-openapi";
import type { OpenAPIHono } from "@hono/zod-openapi";
import {
  Basket,
  BehaviouralEventInput,
  Channel,
  ConsentChannel,
  ConsentPurpose,
  ConsentState,
  ConsentStatement,
  ConsentsInForce,
  CustomerProfile,
  CustomerRef,
  ExternalIdentity,
  HoldRequest,
  ProfileField,
  ProfileUpdate,
  PushDevice,
  PushPlatform,
  PushTokenRequest,
  Quote,
  QuoteRequest,
  RegisterCustomerRequest,
  Registration,
  SetConsentsRequest,
  TransactionInput,
  TransactionLine,
  UpdateProfileRequest,
} from "@regulars/contracts";
import type { Context } from "hono";
import type { GatewayEnv } from "../context.ts";
import { DeliveryReceiptRequest } from "./message-receipts.ts";
import { ErrorBodySchema, exampleTokens, FieldIssueSchema, securitySchemeName } from "./openapi-shared.ts";
import { tidyOpenApiDocument } from "./openapi-tidy.ts";
import {
  TransactionBatchInput,
  TransactionBatchItemError,
  TransactionBatchItemResult,
  TransactionBatchResult,
} from "./transaction-batch-schemas.ts";
import { IdentityToken, IdentityTokenRequest } from "./v1-identity-tokens.ts";

const documentConfig = {
  openapi: "3.1.0",
  info: {
    title: "Regulars ingestion API",
    version: "1.0.0",
    description:
      "Kiosks, POS terminals and integrations post transactions and behavioural events here. Every request carries a " +
      "tenant API key as a bearer token; the tenant comes from the key, never from the body. Bodies are JSON " +
      "(`content-type: application/json`). Amounts are integer minor units of the tenant's currency (cents: 1250 means 12.50). " +
      "Every error answer has the same body, `ErrorBody`: a stable `code`, a `message` for people, `issues` naming each " +
      "refused field, and the `requestId`. A path that exists answers another method with 405 `method_not_allowed` " +
      "and an `Allow` header naming the methods it takes; a path that does not exist answers 404 `not_found`.",
  },
  servers: [{ url: exampleTokens.server, description: "This gateway" }],
  tags: [
    { name: "Transactions", description: "Sales and refunds from tills and kiosks; they earn and reverse points." },
    { name: "Events", description: "Things customers do besides buying: app opens, forms, message clicks." },
    { name: "Identity", description: "For the brand's app backend: QR tokens that identify a customer at a kiosk." },
    {
      name: "Checkout",
      description:
        "Spending at the till: price a basket with coupons, rewards, points and wallet cash, reserve what the customer " +
        "chose (a hold), then post the sale with the hold's id to commit it, or void the hold.",
    },
    {
      name: "Customers",
      description:
        "For the brand's app backend (`app` keys): sign-ups, profiles, consents per channel and purpose, push tokens. " +
        "For tills (`pos` and `kiosk` keys): enrolment by phone with the consents given at the till.",
    },
    {
      name: "Messages",
      description:
        "What comes back from messages sent: tracked links and open pixels customers load (no key), and providers' " +
        "delivery receipts (the receipts secret).",
    },
  ],
};

/** The named schemas an integrator generates types from, registered so that every use is a `$ref`. */
// Leaves first: a schema generated before the ones it uses would inline them instead of referring to them.
const components = [
  Channel,
  ExternalIdentity,
  CustomerRef,
  TransactionLine,
  TransactionInput,
  BehaviouralEventInput,
  FieldIssueSchema,
  ErrorBodySchema,
  TransactionBatchInput,
  TransactionBatchItemError,
  TransactionBatchItemResult,
  TransactionBatchResult,
  IdentityTokenRequest,
  IdentityToken,
  Basket,
  QuoteRequest,
  HoldRequest,
  Quote,
  ConsentChannel,
  ConsentPurpose,
  ConsentStatement,
  ConsentState,
  ConsentsInForce,
  PushPlatform,
  PushDevice,
  ProfileField,
  CustomerProfile,
  RegisterCustomerRequest,
  Registration,
  UpdateProfileRequest,
  ProfileUpdate,
  SetConsentsRequest,
  PushTokenRequest,
  DeliveryReceiptRequest,
];

/**
 * The routes' document, with the named schemas defined first. They are named by their `.meta({ id })`;
 * `registry.register()` would rename them through `.openapi()`, which zod schemas created before
 * @hono/zod-openapi was first imported do not have.
 */
function generate(app: OpenAPIHono<GatewayEnv>) {
  const named = components.map((schema) => ({ type: "schema" as const, schema }));
  const document = new OpenApiGeneratorV31([...named, ...app.openAPIRegistry.definitions]).generateDocument(
    documentConfig,
  );
  return withMethodNotAllowed(document);
}

const operationMethods = new Set(["get", "put", "post", "delete", "options", "head", "patch", "trace"]);
const methodNotAllowed = {
  description:
    "This path does not take the method used (`method_not_allowed`): the `Allow` header names the methods it takes",
  headers: { Allow: { description: "The methods this path takes, such as `POST`", schema: { type: "string" } } },
  content: {
    "application/json": {
      schema: { $ref: "#/components/schemas/ErrorBody" },
      example: {
        code: "method_not_allowed",
        message: "/v1/transactions does not take DELETE; it takes POST (see /v1/openapi.json)",
        requestId: "req_01JD4Z8X9R3V7Q2M5N6P8T0W1Y",
      },
    },
  },
};

/**
 * Every path listed answers a method it does not take with 405 `method_not_allowed` and an `Allow` header (the
 * gateway's not-found handler), whichever route it is: the answer is one shared response, and each operation lists
 * it, so a client generated from the document knows it instead of meeting an undocumented status.
 */
function withMethodNotAllowed<T extends { paths?: object; components?: { responses?: object } }>(document: T): T {
  for (const item of Object.values(document.paths ?? {}) as Record<string, { responses?: Record<string, unknown> }>[])
    for (const [method, operation] of Object.entries(item))
      if (operationMethods.has(method) && operation.responses)
        operation.responses["405"] ??= { $ref: "#/components/responses/MethodNotAllowed" };
  const components = document.components ?? {};
  return {
    ...document,
    components: { ...components, responses: { ...components.responses, MethodNotAllowed: methodNotAllowed } },
  };
}

/** The base URL the client reached this gateway at (a proxy's forwarded host and scheme win). */
function baseUrlOf(c: Context<GatewayEnv>): string {
  const url = new URL(c.req.url);
  const proto = c.req.header("x-forwarded-proto")?.split(",")[0]?.trim();
  const host = c.req.header("x-forwarded-host")?.split(",")[0]?.trim();
  const scheme = proto === "https" || proto === "http" ? proto : url.protocol.slice(0, -1);
  return `${scheme}://${host && /^[A-Za-z0-9.:[\]-]+$/.test(host) ? host : url.host}`;
}

/**
 * Serves the OpenAPI document. It is generated once, on the first request (every route is registered
 * by then), and kept as text; each request only fills in the base URL and the example timestamps, so
 * "Try it out" in the docs page posts an `occurredAt` inside the accepted window whenever it is used.
 */
export function registerOpenApiDocument(app: OpenAPIHono<GatewayEnv>, path: string, now: () => Date) {
  app.openAPIRegistry.registerComponent("securitySchemes", securitySchemeName, {
    type: "http",
    scheme: "bearer",
    description:
      "A tenant API key: `Authorization: Bearer <key>`. The key decides the tenant and what the caller may do. A " +
      "till's pos key (`rk_pos_...`) and a kiosk's kiosk key (`rk_kiosk_...`) post sales and refunds, checkouts, " +
      "enrolments and events of their own channel (`pos`, `kiosk`); the brand app's backend's app key (`rk_app_...`) " +
      "posts events of channel `app` or `web`, the customer's own doings (`profile_completed`, opened and clicked " +
      "messages) among them, identity tokens and the customer routes; an admin key (`rk_admin_...`) events of any " +
      "channel and identity tokens. An event posted without a `channel` is recorded with its key's.",
  });

  let template: string | undefined;
  app.get(path, (c) => {
    template ??= JSON.stringify(tidyOpenApiDocument(generate(app)));
    const at = now().getTime();
    const document = template
      .replace(/@now-(\d+)s@/g, (_, seconds: string) => new Date(at - Number(seconds) * 1000).toISOString())
      .replaceAll(exampleTokens.serial, at.toString(36))
      .replaceAll(exampleTokens.server, baseUrlOf(c));
    return c.body(document, 200, { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" });
  });
}
