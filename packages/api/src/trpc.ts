import { initTRPC, TRPCError } from "@trpc/server";
import type { ApiKeyRole } from "@regulars/contracts";
import type { Db } from "@regulars/db";
import { DomainError, issuesFromZod, trpcCodeOf } from "@regulars/errors";
import type { Credential } from "@regulars/tenancy";
import { ZodError } from "zod";
import { unsafeInputIssues } from "./input-guard.ts";

export interface ApiContext {
  db: Db;
  /** Resolved from the Authorization header by the host app; null when absent or unknown. */
  credential: Credential | null;
  requestId: string;
  /** Told how each procedure call ended and how long it took (the host's latency histogram). */
  onProcedureDone?: (procedure: string, code: string, seconds: number) => void;
}

const t = initTRPC.context<ApiContext>().create({
  errorFormatter({ shape, error, ctx }) {
    const cause = error.cause;
    const issues = cause instanceof ZodError ? issuesFromZod(cause) : cause instanceof DomainError ? cause.issues : undefined;
    return {
      ...shape,
      // Internal errors keep their message out of the response; the request id finds it in the logs.
      message: error.code === "INTERNAL_SERVER_ERROR" ? "something went wrong on our side" : shape.message,
      data: { code: shape.data.code, httpStatus: shape.data.httpStatus, path: shape.data.path, issues, requestId: ctx?.requestId },
    };
  },
});

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;

/** Domain errors thrown anywhere below become tRPC errors with the code from the shared table. */
const domainErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok && result.error.cause instanceof DomainError) {
    const cause = result.error.cause;
    throw new TRPCError({ code: trpcCodeOf(cause.code), message: cause.message, cause });
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
    const cause = new DomainError("invalid_request", `the input is invalid: ${issues.map((i) => i.path).join(", ")}`, issues);
    throw new TRPCError({ code: "BAD_REQUEST", message: cause.message, cause });
  }
  return next();
});

export const publicProcedure = t.procedure.use(timed).use(safeInput).use(domainErrors);

/** The tenant always comes from the credential, never from input. */
export const tenantProcedure = publicProcedure.use(({ ctx, next }) => {
  if (!ctx.credential) throw new TRPCError({ code: "UNAUTHORIZED", message: "send an API key as 'Authorization: Bearer <key>'" });
  return next({ ctx: { ...ctx, credential: ctx.credential, tenantId: ctx.credential.tenantId } });
});

export const roleProcedure = (...roles: ApiKeyRole[]) =>
  tenantProcedure.use(({ ctx, next }) => {
    if (!roles.includes(ctx.credential.role)) {
      throw new TRPCError({ code: "FORBIDDEN", message: `a ${ctx.credential.role} key cannot do this; it needs a ${roles.join(" or ")} key` });
    }
    return next();
  });

export type TenantContext = ApiContext & { credential: Credential; tenantId: string };
