import type { AnalystSqlTarget } from "@regulars/analytics";
import type { UnknownCodeLimit } from "@regulars/checkout";
import type { ApiKeyRole } from "@regulars/contracts";
import { type ApiAction, rolesAllowedTo } from "@regulars/contracts/api-access";
import { type Db, isDbUnreachable, type SqlReader, type TransactionRunner } from "@regulars/db";
import {
  causeChain,
  codedIssuesFromZod,
  DomainError,
  type ErrorBody,
  errorCodeOfTrpc,
  isConnectionFailure,
  roleRefusal,
  trpcCodeOf,
} from "@regulars/errors";
import type { ProgrammeCache } from "@regulars/programme";
import type { Credential, CredentialCache } from "@regulars/tenancy";
import type { EndpointUrlPolicy } from "@regulars/webhooks";
import { initTRPC, TRPCError } from "@trpc/server";
import { ZodError } from "zod";
import { unsafeInputIssues } from "./input-guard.ts";

/** Pools of their own for the checkout's hot statements (`ApiContext.checkoutPools`). */
export interface CheckoutPools {
  reader?: SqlReader;
  missCounts?: SqlReader;
  holdTransactions?: TransactionRunner;
}

export interface ApiContext {
  db: Db;
  /** ClickHouse for analyst SQL; absent or null where this process cannot reach it. */
  analytics?: AnalystSqlTarget | null;
  /** Resolved from the Authorization header by the host app; null when absent or unknown. */
  credential: Credential | null;
  /**
   * The cache the host resolved `credential` with: a key revoked or rotated here is evicted from it, so it stops in
   * this process at once (other processes within their cache's TTL). None where nothing is cached.
   */
  credentials?: Pick<CredentialCache, "evictKey">;
  requestId: string;
  /** Which webhook endpoint URLs are accepted; https to public hosts only when absent. */
  webhookUrls?: EndpointUrlPolicy;
  /** Unknown coupon codes a credential is answered per window before its checkouts with codes are refused. */
  unknownCodeLimit?: UnknownCodeLimit;
  /**
   * Look-ups of customers by phone or card number nobody has that a till's key is answered per window before its
   * look-ups by phone or card are refused; `customerLookupDefaults` when absent. Admin keys and staff are not counted.
   */
  customerLookupLimit?: UnknownCodeLimit;
  /**
   * The till's checkout on pools of the host's own, as the gateway's: the quotes' one read (`reader`), the guessing
   * throttles' counts (`missCounts`, look-ups by phone or card included) and the holds' and voids' transactions
   * (`holdTransactions`). Prisma on `db` for whatever is absent.
   */
  checkoutPools?: CheckoutPools;
  /**
   * The programmes in force, cached for the process: a checkout checks the tenant's for changes on every call
   * (`refresh`, one statement: a new version or a location changed) and reads it from the cache, where three statements
   * read it afresh. Read afresh on every call when absent.
   */
  programmes?: ProgrammeCache;
  /** The clock of checkouts and of the windows that count misses; tests move it. */
  now?: () => Date;
  /**
   * How far ahead of the gateway's clock a sale may be stamped (OCCURRED_AT_MAX_AHEAD_SECONDS): a programme version
   * starting within it is not cancelled; the contracts' default when absent.
   */
  occurredAtMaxAheadSeconds?: number;
  /** Told how each procedure call ended and how long it took (the host's latency histogram). */
  onProcedureDone?: (procedure: string, code: string, seconds: number) => void;
  /**
   * Told when a call was answered `unavailable` because Postgres or ClickHouse could not be reached: an outage to
   * note once per call as a warning, not a fault to trace (the answer already says to retry).
   */
  onUnavailable?: (procedure: string, store: UnreachableStore, error: unknown) => void;
  /**
   * Told after a tenant's mutation succeeded, so the domain events it committed to the outbox are published
   * at once (the outbox relay would take them only after its grace).
   */
  onMutated?: (tenantId: string) => void;
}

/** The gateway's error body; the request id is unknown only when tRPC fails before the context exists. */
export type ApiErrorBody = Omit<ErrorBody, "requestId"> & { requestId?: string };

const t = initTRPC.context<ApiContext>().create({
  // Never "development": tRPC would read every error's stack for its shape (source-mapped, the costliest part of
  // answering "not found"), and `errorFormatter` drops it anyway: stacks go to the logs, not to callers.
  isDev: false,
  /**
   * `data.error` is the body the gateway answers with, `{ code, message, issues, requestId }`, so one
   * client-side renderer reads both. The top-level `code` must stay tRPC's number (its client refuses
   * the response otherwise), and `data.code`/`httpStatus` stay for the tRPC client.
   */
  errorFormatter({ shape, error, ctx }) {
    const cause = error.cause;
    const code = cause instanceof DomainError ? cause.code : errorCodeOfTrpc(error.code, shape.data.httpStatus);
    const issues =
      cause instanceof ZodError ? codedIssuesFromZod(cause) : cause instanceof DomainError ? cause.issues : undefined;
    // Internal errors keep their message out of the response; the request id finds it in the logs.
    const message =
      code === "internal"
        ? "something went wrong on our side; the request id helps us find it"
        : cause instanceof ZodError
          ? `the input is invalid: ${issues!.map((i) => i.path).join(", ")}`
          : shape.message;
    const body: ApiErrorBody = {
      code,
      message,
      ...(issues?.length ? { issues } : {}),
      ...(ctx?.requestId ? { requestId: ctx.requestId } : {}),
    };
    return {
      message,
      code: shape.code,
      data: {
        code: shape.data.code,
        httpStatus: shape.data.httpStatus,
        path: shape.data.path,
        requestId: ctx?.requestId,
        error: body,
      },
    };
  },
});

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;

export type UnreachableStore = "postgres" | "clickhouse";

/** Prisma wraps whatever Postgres's driver says in errors of its own; ClickHouse's client passes Node's through. */
const fromPrisma = (error: unknown) =>
  causeChain(error).some((e) => {
    const { clientVersion, name } = (e ?? {}) as { clientVersion?: unknown; name?: unknown };
    return typeof clientVersion === "string" || name === "DriverAdapterError";
  });

/**
 * Which store a failure could not reach, if that is what it was. Procedures open connections to Postgres (through
 * Prisma) and ClickHouse only, so a connection failure that is not Prisma's is ClickHouse's.
 */
function unreachableStore(error: unknown): UnreachableStore | undefined {
  if (isConnectionFailure(error) && !fromPrisma(error)) return "clickhouse";
  // Not a timeout or a conflict: a slow query is a bug to see (500 with its stack), not an outage to wait out.
  if (isDbUnreachable(error)) return "postgres";
  return undefined;
}

const unreachableWording: Record<UnreachableStore, string> = {
  postgres: "the database cannot be reached, retry later",
  clickhouse: "analytics cannot be reached, retry later",
};

/**
 * Domain errors thrown anywhere below become tRPC errors with the code from the shared table. A store out of reach
 * is `unavailable` (503), as on the gateway: the same call succeeds once it is back, and a client that retries only
 * on 503 would drop it on a 500.
 */
const domainErrors = t.middleware(async ({ ctx, path, next }) => {
  const result = await next();
  if (result.ok) return result;
  const cause = result.error.cause;
  if (cause instanceof DomainError) {
    throw new TRPCError({ code: trpcCodeOf(cause.code), message: cause.message, cause });
  }
  const store = unreachableStore(cause);
  if (store) {
    ctx.onUnavailable?.(path, store, cause);
    const unavailable = new DomainError("unavailable", unreachableWording[store]);
    throw new TRPCError({ code: "SERVICE_UNAVAILABLE", message: unavailable.message, cause: unavailable });
  }
  return result;
});

/** Latency and outcome of every call, by procedure; outermost, so refused input and auth failures count too. */
const timed = t.middleware(async ({ ctx, path, next }) => {
  const started = performance.now();
  const result = await next();
  ctx.onProcedureDone?.(path, result.ok ? "OK" : result.error.code, (performance.now() - started) / 1000);
  return result;
});

/** One check of every string in every input, before any schema or query sees it. */
const safeInput = t.middleware(async ({ getRawInput, next }) => {
  const issues = unsafeInputIssues(await getRawInput());
  if (issues.length) {
    const cause = new DomainError(
      "invalid_request",
      `the input is invalid: ${issues.map((i) => i.path).join(", ")}`,
      issues,
    );
    throw new TRPCError({ code: "BAD_REQUEST", message: cause.message, cause });
  }
  return next();
});

export const publicProcedure = t.procedure.use(timed).use(safeInput).use(domainErrors);

/** The tenant always comes from the credential, never from input. */
export const tenantProcedure = publicProcedure.use(async ({ ctx, type, next }) => {
  if (!ctx.credential)
    throw new TRPCError({ code: "UNAUTHORIZED", message: "send an API key as 'Authorization: Bearer <key>'" });
  const tenantId = ctx.credential.tenantId;
  const result = await next({ ctx: { ...ctx, credential: ctx.credential, tenantId } });
  if (type === "mutation" && result.ok) ctx.onMutated?.(tenantId);
  return result;
});

export const roleProcedure = (...roles: ApiKeyRole[]) =>
  tenantProcedure.use(({ ctx, next }) => {
    if (!roles.includes(ctx.credential.role)) {
      throw new TRPCError({
        code: "FORBIDDEN",
        message: roleRefusal(ctx.credential.role, roles),
      });
    }
    return next();
  });

/**
 * The procedures behind an action the admin app offers admit the roles `rolesAllowedTo` lists for it: the admin's
 * `may()` reads the same entry, so what it shows and what is accepted cannot drift apart.
 */
export const allowedTo = (action: ApiAction) => roleProcedure(...rolesAllowedTo[action]);

/**
 * Admin keys and, of the staff, owners only: who may sign in, as what, and which API keys exist. Marketers and
 * operators act as admins everywhere else.
 */
export const ownerProcedure = roleProcedure("admin").use(({ ctx, next }) => {
  const staff = ctx.credential.staff;
  if (staff && staff.role !== "owner")
    throw new TRPCError({
      code: "FORBIDDEN",
      message: `a ${staff.role} cannot do this; only an owner manages staff and API keys`,
    });
  return next();
});

export type TenantContext = ApiContext & { credential: Credential; tenantId: string };
