import { trpcServer } from "@hono/trpc-server";
import { type Db, isTransientDbError } from "@regulars/db";
import { DomainError } from "@regulars/errors";
import { type ReadinessChecks, registerHealthRoutes } from "@regulars/health";
import { corsForBrowsers, httpDefaults, type KeyRateLimiter, methodsServedAt } from "@regulars/http-guards";
import type { Logger } from "@regulars/logger";
import { type ApiContext, appRouter } from "@regulars/procedures";
import type { CredentialCache } from "@regulars/tenancy";
import { type Context, Hono } from "hono";
import { Histogram, type Registry } from "prom-client";
import {
  type ApiEnv,
  assignRequestId,
  authenticateAndLimit,
  CSRF_HEADER,
  errorResponse,
  limitBatch,
  limitBody,
  refuseDeepJson,
} from "./http-guards.ts";
import { type AuthRouteDeps, registerAuthRoutes, staffSessionLookup } from "./routes/auth.ts";
import { registerCouponCodeRoutes } from "./routes/coupon-codes.ts";
import { registerWebApps, type WebApps } from "./web-apps.ts";

export interface ApiDeps {
  db: Db;
  /** ClickHouse for analyst SQL (`analytics.sql`); without it that procedure answers `unavailable`. */
  analytics?: ApiContext["analytics"];
  credentials: CredentialCache;
  log: Logger;
  registry: Registry;
  readiness: ReadinessChecks;
  /** Origins of the admin and kiosk web apps. */
  corsOrigins?: string[];
  /** Request body limit (the gateway's MAX_BODY_BYTES). */
  maxBodyBytes?: number;
  /** Most calls in one batched request. */
  maxBatchSize?: number;
  /** Per-key request limits; none when absent. */
  rateLimiter?: KeyRateLimiter;
  /** Which webhook endpoint URLs admins may register (WEBHOOK_ALLOW_PRIVATE_URLS). */
  webhookUrls?: ApiContext["webhookUrls"];
  /** Unknown coupon codes a credential is answered per window (COUPON_UNKNOWN_CODE_*); the default when absent. */
  unknownCodeLimit?: ApiContext["unknownCodeLimit"];
  /** The gateway's clock-skew allowance (OCCURRED_AT_MAX_AHEAD_SECONDS); the default when absent. */
  occurredAtMaxAheadSeconds?: number;
  /** The built admin and kiosk apps to serve; none when absent. */
  webApps?: WebApps;
  /** Publishes what a tenant's mutation committed to the outbox (see ApiContext.onMutated). */
  onMutated?: ApiContext["onMutated"];
  /** The till's checkout on pools of the API's own (see ApiContext.checkoutPools); Prisma when absent. */
  checkoutPools?: ApiContext["checkoutPools"];
  /** The programmes in force, cached for the process (see ApiContext.programmes); read afresh when absent. */
  programmes?: ApiContext["programmes"];
  /** Staff sign-in throttling; the staff package's defaults when absent. */
  signInThrottle?: AuthRouteDeps["signInThrottle"];
  /** Proxies whose X-Forwarded-For names the client (TRUSTED_PROXIES); none when absent. */
  trustedProxies?: AuthRouteDeps["trustedProxies"];
}

/**
 * tRPC at /trpc for the admin and kiosk apps, and files of coupon codes under /admin; the tenant comes
 * from the bearer key on each call, or from the staff session cookie set by /auth/sign-in.
 */
export function createApiApp(deps: ApiDeps) {
  const app = new Hono<ApiEnv>();
  const latency = new Histogram({
    name: "regulars_trpc_request_seconds",
    help: "tRPC call latency by procedure and outcome (OK or the tRPC error code)",
    labelNames: ["procedure", "code"],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 2.5],
    registers: [deps.registry],
  });
  app.use(
    "/trpc/*",
    corsForBrowsers({
      origin: deps.corsOrigins ?? [...httpDefaults.corsOrigins],
      allowHeaders: ["authorization", "content-type", CSRF_HEADER],
      credentials: true,
      exposeHeaders: ["retry-after"],
    }),
  );
  app.use(
    "/trpc/*",
    assignRequestId,
    limitBody(deps.maxBodyBytes ?? httpDefaults.maxBodyBytes),
    limitBatch(deps.maxBatchSize ?? httpDefaults.maxTrpcBatch),
    refuseDeepJson,
    authenticateAndLimit(deps.credentials, deps.rateLimiter, staffSessionLookup(deps.db)),
  );
  app.use(
    "/trpc/*",
    trpcServer({
      router: appRouter,
      endpoint: "/trpc",
      createContext: (_opts, c) => ({
        db: deps.db,
        analytics: deps.analytics ?? null,
        credential: c.get("credential") as ApiEnv["Variables"]["credential"],
        credentials: deps.credentials,
        requestId: c.get("requestId") as string,
        webhookUrls: deps.webhookUrls,
        ...(deps.unknownCodeLimit ? { unknownCodeLimit: deps.unknownCodeLimit } : {}),
        ...(deps.occurredAtMaxAheadSeconds !== undefined
          ? { occurredAtMaxAheadSeconds: deps.occurredAtMaxAheadSeconds }
          : {}),
        onProcedureDone: (procedure: string, code: string, seconds: number) =>
          latency.observe({ procedure, code }, seconds),
        // One line per call and no stack: during an outage every call ends here, and the stack says nothing new.
        onUnavailable: (procedure: string, store: string, err: unknown) =>
          deps.log.warn(
            { procedure, requestId: c.get("requestId"), reason: oneLine(err) },
            `${store === "postgres" ? "Postgres" : "ClickHouse"} unreachable; answered unavailable`,
          ),
        ...(deps.onMutated ? { onMutated: deps.onMutated } : {}),
        ...(deps.checkoutPools ? { checkoutPools: deps.checkoutPools } : {}),
        ...(deps.programmes ? { programmes: deps.programmes } : {}),
      }),
      onError: ({ error, path }) => {
        if (error.code === "INTERNAL_SERVER_ERROR") deps.log.error({ err: error, path }, "procedure failed");
      },
      responseMeta: ({ errors }) => retryAfterOf(errors),
    }),
  );
  app.use(
    "/admin/*",
    corsForBrowsers({
      origin: deps.corsOrigins ?? [...httpDefaults.corsOrigins],
      allowHeaders: ["authorization", "content-type", CSRF_HEADER],
      credentials: true,
      exposeHeaders: ["content-disposition", "x-request-id"],
    }),
  );
  registerCouponCodeRoutes(app, deps);
  app.use(
    "/auth/*",
    corsForBrowsers({
      origin: deps.corsOrigins ?? [...httpDefaults.corsOrigins],
      allowHeaders: ["content-type", CSRF_HEADER],
      credentials: true,
    }),
  );
  registerAuthRoutes(app, deps);
  registerHealthRoutes(app, deps.readiness, deps.registry);
  if (deps.webApps) registerWebApps(app, deps.webApps);
  // A path served with other methods is a 405 naming them (RFC 9110 §15.5.6), not a 404 that sends a caller who
  // used the wrong method looking for a mistake in the URL.
  const methodsAt = methodsServedAt(app);
  app.notFound((c) => {
    const { method, path } = c.req;
    const allowed = methodsAt(path);
    if (allowed.length === 0 || allowed.includes(method))
      return errorResponse(c, "not_found", `nothing is served at ${method} ${path}`);
    c.header("allow", allowed.join(", "));
    return errorResponse(c, "method_not_allowed", `${path} does not take ${method}; it takes ${allowed.join(", ")}`);
  });
  app.onError(apiErrors(deps.log));
  return app;
}

/**
 * What tRPC does not answer itself (the guards, sign-in, the code files) in the one error body: a domain error by
 * its code, Postgres out of reach as 503 `unavailable`, anything else a 500 logged with the request id.
 */
function apiErrors(log: Logger) {
  return (err: Error, c: Context<ApiEnv>) => {
    if (err instanceof DomainError) return errorResponse(c, err.code, err.message, err.issues);
    if (isTransientDbError(err)) {
      log.warn({ err, requestId: c.get("requestId") }, "database unavailable");
      return errorResponse(c, "unavailable", "the database cannot be reached, retry later");
    }
    log.error({ err, requestId: c.get("requestId") }, "unhandled error");
    return errorResponse(c, "internal", "something went wrong on our side; the request id helps us find it");
  };
}

/** An error's message on one line (Prisma's spans several, around a code excerpt). */
const oneLine = (err: unknown) =>
  String((err as Error)?.message ?? err)
    .replace(/\s+/g, " ")
    .trim();

/**
 * A procedure refused for a wait (too many unknown coupon codes) says how long in `Retry-After`, as the guards'
 * rate limit does: the apps wait that long, or say a long wait at once rather than asking again. The longest wait
 * of a batch is the one to honour.
 */
function retryAfterOf(errors: readonly { cause?: unknown }[]): { headers?: Record<string, string> } {
  const waits = errors.map((e) => (e.cause as { retryAfterSeconds?: unknown } | undefined)?.retryAfterSeconds);
  const seconds = waits.filter((w): w is number => typeof w === "number" && Number.isFinite(w));
  return seconds.length ? { headers: { "retry-after": String(Math.ceil(Math.max(...seconds))) } } : {};
}
