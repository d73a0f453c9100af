import { DomainError } from "@regulars/errors";
import { jsonNestedDeeperThan, type KeyRateLimiter, MAX_REQUEST_JSON_DEPTH } from "@regulars/http-guards";
import type { MiddlewareHandler } from "hono";
import type { GatewayEnv } from "./context.ts";
import { readBodyText } from "./json-body.ts";

/**
 * Per-key token buckets, after authentication (the bucket belongs to the key, its size to the key's
 * role). A refused request gets 429 with `Retry-After` in seconds, in the one error shape.
 */
export function rateLimitByKey(limiter: KeyRateLimiter | undefined): MiddlewareHandler<GatewayEnv> {
  return async (c, next) => {
    const credential = c.get("credential");
    if (limiter && credential) {
      const decision = limiter.take(credential.keyId, credential.role);
      if (!decision.ok) {
        c.header("Retry-After", String(decision.retryAfterSeconds));
        throw new DomainError(
          "rate_limited",
          `too many requests for this API key; retry in ${decision.retryAfterSeconds} s`,
        );
      }
    }
    await next();
  };
}

/** JSON nested past any real payload is refused before a parser or validator recurses through it. */
export function refuseDeepJson(max = MAX_REQUEST_JSON_DEPTH): MiddlewareHandler<GatewayEnv> {
  return async (c, next) => {
    if (c.req.method === "POST" || c.req.method === "PUT" || c.req.method === "PATCH") {
      if (jsonNestedDeeperThan(await readBodyText(c), max)) {
        throw new DomainError("invalid_request", `the request body nests deeper than ${max} levels`, [
          { path: "(body)", message: `must not nest deeper than ${max} levels` },
        ]);
      }
    }
    await next();
  };
}
