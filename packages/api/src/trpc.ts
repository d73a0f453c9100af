import { initTRPC, TRPCError } from "@trpc/server";
import type { ApiKeyRole } from "@regulars/contracts";
import type { Db } from "@regulars/db";
import { DomainError, issuesFromZod, trpcCodeOf } from "@regulars/errors";
import type { Credential } from "@regulars/tenancy";
import { ZodError } from "zod";

export interface ApiContext {
  db: Db;
  /** Resolved from the Authorization header by the host app; null when absent or unknown. */
  credential: Credential | null;
  requestId: string;
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

export const publicProcedure = t.procedure.use(domainErrors);

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
