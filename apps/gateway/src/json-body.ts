import { DomainError, issuesFromZod } from "@regulars/errors";
import { type BodyTextRefusal, readUtf8BodyText } from "@regulars/http-guards";
import type { Context, MiddlewareHandler } from "hono";
import type { z } from "zod";
import type { GatewayEnv } from "./context.ts";

/** `application/json` or a `+json` type, with parameters (a charset only a label of UTF-8): what Hono's JSON validator reads. */
const jsonMediaType = /^application\/(?:[\w.-]+\+)?json$/i;

/**
 * The body as text, read once for every reader after it (the validators' JSON parse and the depth check read this
 * same string). JSON is UTF-8 (RFC 8259): the rule and its refusals are the API's too (`readUtf8BodyText`).
 */
export function readBodyText(c: Context<GatewayEnv>): Promise<string> {
  return readUtf8BodyText(c, refusedBody);
}

const refusedBody = (refusal: BodyTextRefusal) =>
  new DomainError(refusal.code, refusal.message, "issues" in refusal ? refusal.issues : undefined);

/**
 * A POST body must be declared JSON, in UTF-8 (`readBodyText`), and must not be empty. Without this a form post or
 * a missing header reaches the validator as `{}` and reads as "every field required", which sends an integrator
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
    const text = await readBodyText(c);
    if (text.trim() === "")
      throw new DomainError("invalid_request", "the request body is empty; send a JSON object", [
        { path: "(body)", message: "required" },
      ]);
    await next();
  };
}

/** The 400 of a body that is not JSON, whichever reader found it (ours, or a route validator of Hono's). */
export function notJsonBody(): DomainError {
  return new DomainError("invalid_request", "the request body is not valid JSON", [
    { path: "(body)", message: "must be valid JSON" },
  ]);
}

/** The body as JSON; text that does not parse is refused as the route validators refuse it. */
export function parseJsonBody(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw notJsonBody();
  }
}

/**
 * The body validated by `schema`, refused like every other route's (`validationHook`): a 400 naming each
 * field. The hot ingestion routes read their bodies with this instead of the route validator of
 * @hono/zod-openapi, which parses with `safeParseAsync`: zod then skips the code it compiles for each object
 * schema and walks its generic path. The profile put that path high; the measured gain per POST was within
 * run-to-run noise, so keep this for its one parse and one error path rather than for speed.
 */
export async function readValidBody<T extends z.ZodType>(c: Context<GatewayEnv>, schema: T): Promise<z.output<T>> {
  const parsed = schema.safeParse(parseJsonBody(await readBodyText(c)));
  if (!parsed.success) throw invalidBody(parsed.error);
  return parsed.data;
}

/** The 400 of a body its schema refused, naming each field and why. */
export function invalidBody(error: { issues: { path: PropertyKey[]; message: string }[] }): DomainError {
  const issues = issuesFromZod(error);
  return new DomainError(
    "invalid_request",
    `the request body is invalid: ${issues.map((i) => i.path).join(", ")}`,
    issues,
  );
}
