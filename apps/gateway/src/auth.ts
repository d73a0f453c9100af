import type { ApiKeyRole } from "@regulars/contracts";
import { DomainError, roleRefusal } from "@regulars/errors";
import type { CredentialCache } from "@regulars/tenancy";
import type { MiddlewareHandler } from "hono";
import type { GatewayEnv } from "./context.ts";

/** Bearer API key → tenant and role. The tenant is only ever taken from here, never from the body. */
export function requireRole(credentials: CredentialCache, roles: ApiKeyRole[]): MiddlewareHandler<GatewayEnv> {
  return async (c, next) => {
    const header = c.req.header("authorization") ?? "";
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) throw new DomainError("unauthorized", "send an API key as 'Authorization: Bearer <key>'");
    const credential = await credentials.resolve(match[1]!);
    if (!credential) throw new DomainError("unauthorized", "the API key is unknown or revoked");
    if (!roles.includes(credential.role)) {
      throw new DomainError("forbidden", roleRefusal(credential.role, roles));
    }
    c.set("credential", credential);
    await next();
  };
}
