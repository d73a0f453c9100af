import { timingSafeEqual } from "node:crypto";
import { DomainError, type ErrorBody, type ErrorCode, type FieldIssue, httpStatusOf } from "@regulars/errors";
import {
  type BodyTextRefusal,
  jsonNestedDeeperThan,
  type KeyRateLimiter,
  MAX_REQUEST_JSON_DEPTH,
  readUtf8BodyText,
} from "@regulars/http-guards";
import { newId } from "@regulars/ids";
import type { Credential, CredentialCache } from "@regulars/tenancy";
import type { Context, MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { getCookie } from "hono/cookie";
import type { ContentfulStatusCode } from "hono/utils/http-status";

/** The cookie that holds a staff session's token, and the header that must repeat its CSRF token. */
export const STAFF_SESSION_COOKIE = "regulars_session";
export const CSRF_HEADER = "x-csrf-token";

/** Compared in constant time: how much of a guess matched must not show in the answer's timing. */
export function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export type ApiEnv = { Variables: { requestId: string; credential: Credential | null } };

/**
 * Refusals before tRPC runs answer in the one error shape of the whole system, `{code, message, issues?,
 * requestId}`: they concern the HTTP request as a whole (too big, too many calls, too deep, too often),
 * not one procedure.
 */
export function errorResponse(c: Context<ApiEnv>, code: ErrorCode, message: string, issues?: FieldIssue[]) {
  // A path no guard ran on (nothing served there) has no id yet: the answer still carries one.
  const requestId = c.get("requestId") ?? newId("request");
  const body: ErrorBody = { code, message, ...(issues ? { issues } : {}), requestId };
  return c.json(body, httpStatusOf(code) as ContentfulStatusCode);
}

export const assignRequestId: MiddlewareHandler<ApiEnv> = async (c, next) => {
  const requestId = c.req.header("x-request-id")?.slice(0, 64) || newId("request");
  c.set("requestId", requestId);
  c.header("x-request-id", requestId);
  await next();
};

export const limitBody = (maxBytes: number): MiddlewareHandler<ApiEnv> =>
  bodyLimit({
    maxSize: maxBytes,
    onError: (c) =>
      errorResponse(c as Context<ApiEnv>, "payload_too_large", `the request body exceeds ${maxBytes} bytes`),
  });

/** Where createApiApp mounts tRPC. */
const TRPC_PREFIX = "/trpc/";

/**
 * The procedures named in a tRPC URL: `/trpc/a.b,c.d?batch=1` is two calls; null for a path that is no URL text.
 * Counted as tRPC reads them, over everything after the prefix, decoded, split on commas: a `/` in the path is
 * part of a procedure's name to tRPC, so `/trpc/a,b,c/x` is three calls, never one.
 */
const callsIn = (c: Context<ApiEnv>): number | null => {
  if (c.req.query("batch") !== "1") return 1;
  const { pathname } = new URL(c.req.url);
  const procedures = pathname.startsWith(TRPC_PREFIX) ? pathname.slice(TRPC_PREFIX.length) : pathname;
  try {
    return decodeURIComponent(procedures).split(",").length;
  } catch {
    return null;
  }
};

export const limitBatch =
  (maxCalls: number): MiddlewareHandler<ApiEnv> =>
  async (c, next) => {
    const calls = callsIn(c);
    if (calls === null) return errorResponse(c, "invalid_request", "the procedure path is not valid percent-encoding");
    if (calls > maxCalls)
      return errorResponse(c, "invalid_request", `a batch may hold at most ${maxCalls} calls; this one has ${calls}`);
    await next();
  };

/**
 * Every body the API reads, read as the gateway reads its own: UTF-8, or refused (415 for another charset, 400 for
 * bytes that are not UTF-8) before tRPC, sign-in or a code import could store U+FFFD in place of what was sent. The
 * text stays cached on the request, so whoever reads the body next reads this string.
 */
export const readBodyText = (c: Context<ApiEnv>): Promise<string> => readUtf8BodyText(c, refusedBody);

const refusedBody = (refusal: BodyTextRefusal) =>
  new DomainError(refusal.code, refusal.message, "issues" in refusal ? refusal.issues : undefined);

/** GET carries the input in `?input=`, POST in the body; either is refused when nested too deep to walk safely. */
export const refuseDeepJson: MiddlewareHandler<ApiEnv> = async (c, next) => {
  const text = c.req.method === "GET" ? (c.req.query("input") ?? "") : await readBodyText(c);
  if (jsonNestedDeeperThan(text, MAX_REQUEST_JSON_DEPTH)) {
    return errorResponse(c, "invalid_request", `the input nests deeper than ${MAX_REQUEST_JSON_DEPTH} levels`, [
      { path: "(input)", message: `must not nest deeper than ${MAX_REQUEST_JSON_DEPTH} levels` },
    ]);
  }
  await next();
};

/** A staff session cookie's credential and the CSRF token its requests must repeat; null when it opens none. */
export type StaffSessionLookup = (token: string) => Promise<{ credential: Credential; csrfToken: string } | null>;

/**
 * Resolves the bearer key (or, without one, the staff session cookie) once per HTTP request and charges its
 * bucket one token per call in the batch. A cookie is sent by the browser whoever made the page, so every
 * request it authenticates, reads included, must repeat the session's CSRF token, which only our app holds.
 */
export const authenticateAndLimit =
  (
    credentials: CredentialCache,
    limiter: KeyRateLimiter | undefined,
    staffSessions?: StaffSessionLookup,
  ): MiddlewareHandler<ApiEnv> =>
  async (c, next) => {
    const match = /^Bearer\s+(\S+)$/i.exec(c.req.header("authorization") ?? "");
    let credential = match ? await credentials.resolve(match[1]!) : null;
    const sessionToken = match || !staffSessions ? undefined : getCookie(c, STAFF_SESSION_COOKIE);
    if (sessionToken) {
      const found = await staffSessions!(sessionToken);
      // Unauthenticated, not forbidden: the usual cause is a tab whose session a sign-in in another tab replaced
      // (the cookie is shared, the token is not), and the app sends that tab to sign in, as for an ended session.
      // The cookie stays: it is the other tab's session.
      if (found && !sameSecret(c.req.header(CSRF_HEADER) ?? "", found.csrfToken))
        return errorResponse(
          c,
          "unauthenticated",
          `send the session's CSRF token in the ${CSRF_HEADER} header; sign in again if this page's session was replaced`,
        );
      credential = found?.credential ?? null;
    }
    c.set("credential", credential);
    if (credential && limiter) {
      const decision = limiter.take(credential.keyId, credential.role, callsIn(c) ?? 1);
      if (!decision.ok) {
        c.header("Retry-After", String(decision.retryAfterSeconds));
        return errorResponse(
          c,
          "rate_limited",
          `too many requests for this ${credential.staff ? "staff member" : "API key"}; retry in ${decision.retryAfterSeconds} s`,
        );
      }
    }
    await next();
  };
