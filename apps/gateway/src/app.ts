import { OpenAPIHono } from "@hono/zod-openapi";
import { type Bus, CoalescingPublisher } from "@regulars/bus";
import { readPostedCodes, reservePostedCodes, type UnknownCodeLimit } from "@regulars/checkout-store";
import { defaultOccurredAtWindow, type OccurredAtWindow } from "@regulars/contracts";
import { type Db, prismaReader, type SqlReader, type TransactionRunner } from "@regulars/db";
import { DomainError } from "@regulars/errors";
import { type ReadinessChecks, registerHealthRoutes } from "@regulars/health";
import { corsForBrowsers, httpDefaults, type KeyRateLimiter, methodsServedAt } from "@regulars/http-guards";
import { newId } from "@regulars/ids";
import { claimHeldHolds, saleHoldRefusals } from "@regulars/ledger-store";
import type { Logger } from "@regulars/logger";
import { queueTransactionalSms } from "@regulars/messages-store";
import { ProgrammeCache } from "@regulars/programme";
import type { CredentialCache } from "@regulars/tenancy";
import { Counter, Histogram, type Registry } from "prom-client";
import { requireRole } from "./auth.ts";
import { limitBody } from "./body-limit.ts";
import type { GatewayEnv } from "./context.ts";
import { onError, validationHook } from "./errors.ts";
import type { TransactionIntake } from "./intake.ts";
import { requireJsonBody } from "./json-body.ts";
import { refuseBodyLimitOverPayload } from "./payload-budget.ts";
import { rateLimitByKey, refuseDeepJson } from "./rate-limit.ts";
import { ReceiptLog } from "./receipts.ts";
import { recordedAll } from "./recorded-before.ts";
import { recordedEventLookups } from "./recorded-events.ts";
import { RecordedLookups } from "./recorded-lookups.ts";
import { registerDocsRoutes } from "./routes/docs.ts";
import { registerMessageReceiptRoute } from "./routes/message-receipts.ts";
import { registerOpenApiDocument } from "./routes/openapi-document.ts";
import { registerTrackingRoutes } from "./routes/tracking.ts";
import { registerCheckoutRoutes } from "./routes/v1-checkout.ts";
import { registerCustomerConsentRoutes } from "./routes/v1-customer-consents.ts";
import { enrolmentPath, registerCustomerEnrolmentRoute } from "./routes/v1-customer-enrolments.ts";
import { registerCustomerRoutes } from "./routes/v1-customers.ts";
import { registerEventStatusRoute } from "./routes/v1-event-status.ts";
import { registerEventRoutes } from "./routes/v1-events.ts";
import { registerIdentityTokenRoute } from "./routes/v1-identity-tokens.ts";
import { registerTransactionStatusRoute } from "./routes/v1-transaction-status.ts";
import { registerTransactionRoutes } from "./routes/v1-transactions.ts";
import { registerTransactionBatchRoute } from "./routes/v1-transactions-batch.ts";

export interface GatewayDeps {
  bus: Bus;
  credentials: CredentialCache;
  log: Logger;
  registry: Registry;
  readiness: ReadinessChecks;
  /**
   * Body limit of every /v1 request but the batch upload, and of each transaction in a batch (256 KiB by default);
   * refused at start when its transactions would not fit under the NATS server's max_payload.
   */
  maxBodyBytes?: number;
  /** Body limit of `POST /v1/transactions/batch` (up to 500 transactions); 16 × `maxBodyBytes` by default. */
  maxBatchBodyBytes?: number;
  /** How far `occurredAt` may lie in the past (offline uploads) and ahead (clock skew). */
  occurredAtWindow?: OccurredAtWindow;
  /** The gateway's clock; tests may pin it. */
  now?: () => Date;
  /** Per-key request limits; none when absent. */
  rateLimiter?: KeyRateLimiter;
  /** For transaction statuses; without it the gateway only accepts. */
  db?: Db;
  /** How often the receipts of accepted transactions are written to `db`; `receiptFlushEveryMs` when absent. */
  receiptFlushEveryMs?: number;
  /** Where checkout quotes read; Prisma (`db`) when absent. */
  reader?: SqlReader;
  /**
   * Where posted transactions and events are looked up (`recordedAll`, `recordedEventsAll`): a reader that plans
   * each statement once (`planOnce`), as their shape allows; `reader` when absent.
   */
  lookupReader?: SqlReader;
  /**
   * Where the guessing throttles' counts are written (unknown coupon codes, look-ups of customers by phone or card):
   * a pool of their own, as a quote or hold writes its key's row twice; Prisma (`db`) when absent.
   */
  missCounts?: SqlReader;
  /** Where checkout holds' transactions run (a pg pool of their own); Prisma interactive transactions on `db` when absent. */
  holdTransactions?: TransactionRunner;
  /**
   * How long a posted transaction's look-up may take before the request is answered 503
   * (`httpDefaults.recordedLookupMs` when absent): a test gateway sharing a busy machine with a whole suite widens it.
   */
  recordedLookupMs?: number;
  /** Unknown coupon codes a key is answered per window before its checkouts with codes are refused; the default when absent. */
  unknownCodeLimit?: UnknownCodeLimit;
  /** The secrets tracked links are signed with; without them (or `db`) the tracker's routes are absent. */
  linkSecrets?: string[] | null;
  /** The bearer secret of providers' delivery receipts; without one the receipts route is absent. */
  receiptsSecret?: string;
  /**
   * Told after a customer's registration, profile or consents changed, so the events committed with the
   * change are published at once rather than after the outbox relay's grace.
   */
  onCustomerChanged?: (tenantId: string) => void;
  /** Whether a browser's push endpoint may be on a private network over http (WEBHOOK_ALLOW_PRIVATE_URLS); no when absent. */
  pushEndpoints?: { allowPrivateNetworks: boolean };
}

export const openApiPath = "/v1/openapi.json";

export function createGatewayApp(deps: GatewayDeps) {
  const maxBodyBytes = deps.maxBodyBytes ?? httpDefaults.maxBodyBytes;
  refuseBodyLimitOverPayload(maxBodyBytes, deps.bus.nc.info?.max_payload);
  const app = new OpenAPIHono<GatewayEnv>({ defaultHook: validationHook });
  const requests = new Histogram({
    name: "regulars_gateway_request_seconds",
    help: "Gateway request latency by route and status",
    labelNames: ["route", "status"],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [deps.registry],
  });
  const published = new Counter({
    name: "regulars_gateway_transactions_total",
    help: "Transactions accepted by the gateway",
    labelNames: ["duplicate"],
    registers: [deps.registry],
  });
  // Accepted transactions alone make a till whose every sale is refused look healthy.
  const refused = new Counter({
    name: "regulars_gateway_transactions_refused_total",
    help: "Transactions refused by the gateway (single posts answered 4xx, batch items invalid or throttled) by code",
    labelNames: ["code"],
    registers: [deps.registry],
  });

  app.use("*", async (c, next) => {
    const requestId = c.req.header("x-request-id")?.slice(0, 64) || newId("request");
    c.set("requestId", requestId);
    c.header("x-request-id", requestId);
    const started = performance.now();
    await next();
    requests.observe({ route: c.req.routePath, status: String(c.res.status) }, (performance.now() - started) / 1000);
  });
  // Outside every check of a single post (key, body, rate limit, validation, admission), so each refusal is counted.
  app.post("/v1/transactions", async (c, next) => {
    await next();
    const code = c.get("errorCode");
    if (code && c.res.status >= 400 && c.res.status < 500) refused.inc({ code });
  });
  app.onError(onError(deps.log));
  // A path served with other methods is a 405 naming them, not a 404: told "not found", an integrator who used the
  // wrong method would look for a mistake in the URL.
  const methodsAt = methodsServedAt(app);
  app.notFound((c) => {
    const { method, path } = c.req;
    const allowed = methodsAt(path);
    if (allowed.length === 0 || allowed.includes(method))
      throw new DomainError("not_found", `no route ${method} ${path}; see ${openApiPath}`);
    c.header("allow", allowed.join(", "));
    throw new DomainError(
      "method_not_allowed",
      `${path} does not take ${method}; it takes ${allowed.join(", ")} (see ${openApiPath})`,
    );
  });

  registerHealthRoutes(app, deps.readiness, deps.registry);
  registerDocsRoutes(app, openApiPath);
  const now = deps.now ?? (() => new Date());
  registerOpenApiDocument(app, openApiPath, now);

  const limit = limitBody(maxBodyBytes);
  const batchLimit = limitBody(deps.maxBatchBodyBytes ?? 16 * maxBodyBytes);
  // Every /v1 body is limited before anything reads it, on any path, found or not (the depth check below reads a
  // body to its end, and a 404 comes after it): the batch upload at its own size, everything else at the default.
  app.use("/v1/*", (c, next) => (c.req.path === "/v1/transactions/batch" ? batchLimit(c, next) : limit(c, next)));
  const transactionRoles = requireRole(deps.credentials, ["pos", "kiosk"]);
  // The kiosk web app posts its sales from the API's origin. Any origin may call: the API key in the
  // Authorization header is the only credential, and browsers never attach it on their own.
  const kioskCors = corsForBrowsers({
    origin: "*",
    allowHeaders: ["authorization", "content-type", "x-request-id"],
    exposeHeaders: ["x-request-id", "retry-after"],
    maxAge: 600,
  });
  // Hono's "/v1/transactions/*" matches "/v1/transactions" itself too: registered for both paths as well, the CORS
  // check and the key lookup ran twice on every single POST.
  app.use("/v1/transactions/*", kioskCors);
  app.use("/v1/transactions/*", transactionRoles);
  // The brand app's backend reports what members do in the app (profile completed, push opened) like a till does.
  // "/v1/events/*" matches "/v1/events" itself too: the posts and the status of one event.
  app.use("/v1/events/*", requireRole(deps.credentials, ["pos", "kiosk", "app", "admin"]));
  app.use("/v1/identity-tokens", requireRole(deps.credentials, ["app", "admin"]));
  app.use("/v1/checkout/*", requireRole(deps.credentials, ["pos", "kiosk"]));
  // Tills enrol customers by phone; everything else under /v1/customers is the app backend's (also /v1/customers).
  const appRole = requireRole(deps.credentials, ["app"]);
  const tillRoles = requireRole(deps.credentials, ["pos", "kiosk"]);
  // The kiosk web app enrols from the API's origin too, so the browser's preflight must be answered before the key.
  app.use(enrolmentPath, kioskCors);
  app.use("/v1/customers/*", (c, next) =>
    c.req.method === "POST" && c.req.path === enrolmentPath ? tillRoles(c, next) : appRole(c, next),
  );
  app.use("/v1/*", rateLimitByKey(deps.rateLimiter));
  app.on(
    "POST",
    [
      "/v1/transactions",
      "/v1/transactions/batch",
      "/v1/events",
      "/v1/identity-tokens",
      "/v1/checkout/quote",
      "/v1/checkout/holds",
      "/v1/checkout/holds/:holdId/confirm",
      "/v1/messages/receipts/:provider",
    ],
    requireJsonBody(),
  );
  app.on(["POST", "PUT", "PATCH"], "/v1/customers/*", requireJsonBody());
  // After the JSON checks (a form post hears 415, not a depth error); it reads any other body as UTF-8 all the same.
  app.use("/v1/*", refuseDeepJson());
  app.on(["POST", "PUT", "PATCH", "DELETE"], ["/v1/customers", "/v1/customers/*"], async (c, next) => {
    await next();
    const credential = c.get("credential");
    if (c.res.status < 400 && credential) deps.onCustomerChanged?.(credential.tenantId);
  });
  const acceptance = { window: deps.occurredAtWindow ?? defaultOccurredAtWindow, now };
  const receipts = deps.db
    ? new ReceiptLog(deps.db, deps.log, deps.receiptFlushEveryMs ? { everyMs: deps.receiptFlushEveryMs } : {})
    : null;
  // One publisher for every route: publishes of concurrent requests share socket writes.
  const publisher = new CoalescingPublisher(deps.bus.nc);
  const intake: TransactionIntake = {
    bus: deps.bus,
    publisher,
    acceptance,
    receipts,
    onPublished: (duplicate) => published.inc({ duplicate: String(duplicate) }),
    onRefused: (code) => refused.inc({ code }),
    maxTransactionBytes: maxBodyBytes,
  };
  if (deps.db) {
    // Read through the quotes' pg reader when there is one (one statement per post with codes); unknown codes
    // are reserved through the database, as quotes reserve theirs.
    const reader = deps.reader ?? prismaReader(deps.db);
    const db = deps.db;
    intake.postedCodes = {
      read: (who, sales) => readPostedCodes(reader, who, sales),
      reserve: (who, posted, at) => reservePostedCodes(deps.missCounts ?? db, who, posted, at, deps.unknownCodeLimit),
    };
    // Through the same reader: one statement per request with a sale naming a checkout hold.
    intake.saleHolds = (tenantId, transactions, at) => saleHoldRefusals(reader, tenantId, transactions, at);
    intake.claimSaleHolds = (tenantId, claims, at) => claimHeldHolds(db, tenantId, claims, at);
    // Every posted transaction is looked up (`admitTransactions`): through the look-up reader, the look-ups of
    // concurrent requests gathered into one statement (`RecordedLookups`).
    const lookups = deps.lookupReader ?? reader;
    intake.recordedBefore = new RecordedLookups(
      (asks) => recordedAll(lookups, asks),
      deps.recordedLookupMs,
    ).recordedBefore;
  }
  registerTransactionBatchRoute(app, intake);
  registerTransactionRoutes(app, intake);
  if (deps.db) registerTransactionStatusRoute(app, deps.db, receipts);
  if (deps.db) registerEventStatusRoute(app, deps.db);
  if (deps.db) registerIdentityTokenRoute(app, deps.db, now);
  if (deps.db) {
    const programmes = new ProgrammeCache(deps.db, 5_000);
    registerCheckoutRoutes(
      app,
      {
        db: deps.db,
        programmes,
        now,
        sendConfirmationSms: queueTransactionalSms,
        ...(deps.holdTransactions ? { transactions: deps.holdTransactions } : {}),
        ...(deps.reader ? { reader: deps.reader } : {}),
      },
      {
        ...(deps.unknownCodeLimit ? { limit: deps.unknownCodeLimit } : {}),
        ...(deps.missCounts ? { counts: deps.missCounts } : {}),
      },
    );
  }
  if (deps.db) registerCustomerRoutes(app, deps.db, now);
  if (deps.db) registerCustomerConsentRoutes(app, deps.db, now, deps.pushEndpoints);
  if (deps.db) registerCustomerEnrolmentRoute(app, deps.db, now);
  // Every posted event is looked up too (`admitEvent`), as transactions are: gathered into one statement.
  const eventReader = deps.db ? (deps.lookupReader ?? deps.reader ?? prismaReader(deps.db)) : undefined;
  const eventsRecorded = eventReader && recordedEventLookups(eventReader).recordedBefore;
  registerEventRoutes(app, deps.bus, publisher, acceptance, eventsRecorded);
  if (deps.db && deps.linkSecrets?.length)
    registerTrackingRoutes(app, { db: deps.db, log: deps.log, secrets: deps.linkSecrets, now });
  if (deps.db && deps.receiptsSecret)
    registerMessageReceiptRoute(app, { db: deps.db, secret: deps.receiptsSecret, now });

  return Object.assign(app, {
    stop: async () => {
      await receipts?.stop();
      publisher.close();
    },
  });
}
