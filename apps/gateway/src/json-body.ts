import { DomainError } from "@regulars/errors";
import type { MiddlewareHandler } from "hono";
import type { GatewayEnv } from "./context.ts";

/** `application/json` or a `+json` type, parameters (charset) allowed: what Hono's JSON validator reads. */
const jsonMediaType = /^application\/(?:[\w.-]+\+)?json$/i;

/**
 * A POST body must be declared JSON and must not be empty. Without this a form post or a missing
 * header reaches the validator as `{}` and reads as "every field required", which sends an integrator
 * hunting in the wrong place.
 */
export function requireJsonBody(): MiddlewareHandler<GatewayEnv> {
  return async (c, next) => {
    const contentType = c.req.header("content-type");
    const mediaType = contentType?.split(";", 1)[0]?.trim() ?? "";
    if (!jsonMediaType.test(mediaType)) {
      const sent = contentType ? ` (got '${contentType.slice(0, 80)}')` : " (none was sent)";
      throw new DomainError(
        "unsupported_media_type",
        `send the body as JSON with 'content-type: application/json'${sent}`,
      );
    }
    // Hono keeps the text: the validator's JSON parse reads this same string, the body is read once.
    const text = await c.req.text();
    if (text.trim() === "")
      throw new DomainError("invalid_request", "the request body is empty; send a JSON object", [
        { path: "(body)", message: "required" },
      ]);
    await next();
  };
}
