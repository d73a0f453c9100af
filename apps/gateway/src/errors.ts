import { isTransientDbError } from "@regulars/db";
import { DomainError, type ErrorBody, type FieldIssue, httpStatusOf, issuesFromZod } from "@regulars/errors";
import type { Logger } from "@regulars/logger";
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { GatewayEnv } from "./context.ts";
import { invalidBody, notJsonBody } from "./json-body.ts";

export function errorResponse(c: Context<GatewayEnv>, code: ErrorBody["code"], message: string, issues?: FieldIssue[]) {
  const body: ErrorBody = { code, message, ...(issues ? { issues } : {}), requestId: c.get("requestId") };
  c.set("errorCode", code);
  // A refusal before the body was read (too large, no key): the HTTP server drains an unread upload
  // only briefly, then drops the connection. Saying so keeps a client's next request off that socket,
  // where it would fail as "connection reset" instead of being answered.
  const unread = c.req.raw.body !== null && !c.req.raw.bodyUsed;
  return c.json(body, httpStatusOf(code) as ContentfulStatusCode, unread ? { connection: "close" } : undefined);
}

/** What a refusal calls each part of the request a route validator reads besides the body (`json`, `form`). */
const requestParts: Record<string, [one: string, several: string]> = {
  param: ["path parameter", "path parameters"],
  query: ["query parameter", "query parameters"],
  header: ["header", "headers"],
  cookie: ["cookie", "cookies"],
};

/**
 * Validation hook for every route: a 400 that names each field and why, and where it was: a bad `externalId` in the
 * path is not the body's, and a client told so would look for it in the wrong place.
 */
export function validationHook(result: { success: boolean; error?: unknown; target?: string }, c: Context<GatewayEnv>) {
  if (result.success) return;
  const error = result.error as { issues: { path: PropertyKey[]; message: string }[] };
  const part = result.target === undefined ? undefined : requestParts[result.target];
  if (!part) {
    const { message, issues } = invalidBody(error);
    return errorResponse(c, "invalid_request", message, issues);
  }
  const issues = issuesFromZod(error);
  const names = [...new Set(issues.map((i) => i.path))];
  const wording = names.length === 1 ? `the ${part[0]} is invalid` : `the ${part[1]} are invalid`;
  return errorResponse(c, "invalid_request", `${wording}: ${names.join(", ")}`, issues);
}

/**
 * The single error handler: domain errors by their code, Postgres out of reach as 503 `unavailable` (retry later, as
 * the OpenAPI document says; a client that retries only on 503 would drop the request on a 500), everything else as
 * a 500 without internals.
 */
export function onError(log: Logger) {
  return (err: Error, c: Context<GatewayEnv>) => {
    if (err instanceof DomainError) return errorResponse(c, err.code, err.message, err.issues);
    if (isTransientDbError(err)) {
      log.warn({ err, requestId: c.get("requestId") }, "database unavailable");
      return errorResponse(c, "unavailable", "the database cannot be reached, retry later");
    }
    if (err instanceof HTTPException) {
      if (err.status === 413) return errorResponse(c, "payload_too_large", "the request body is too large");
      if (err.status === 415)
        return errorResponse(
          c,
          "unsupported_media_type",
          "send the body as JSON with 'content-type: application/json'",
        );
      if (err.status === 400) {
        const { code, message, issues } = notJsonBody();
        return errorResponse(c, code, message, issues);
      }
    }
    log.error({ err, requestId: c.get("requestId") }, "unhandled error");
    return errorResponse(c, "internal", "something went wrong on our side; the request id helps us find it");
  };
}
