import { getConnInfo } from "@hono/node-server/conninfo";
import type { Db } from "@regulars/db";
import { isDomainError, issuesFromZod } from "@regulars/errors";
import {
  resolveSession,
  SignInInput,
  type SignInThrottle,
  SignInThrottled,
  type StaffSession,
  signIn,
  signOut,
} from "@regulars/staff";
import { credentialOfStaffSession } from "@regulars/tenancy";
import type { Context, Hono } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { clientAddressOf, trustedProxyList } from "../client-address.ts";
import {
  type ApiEnv,
  assignRequestId,
  CSRF_HEADER,
  errorResponse,
  limitBody,
  readBodyText,
  STAFF_SESSION_COOKIE,
  type StaffSessionLookup,
  sameSecret,
} from "../http-guards.ts";

export interface AuthRouteDeps {
  db: Db;
  /** Sign-in throttling; when absent, the package's defaults (5 per e-mail and client IP, 50 per client IP). */
  signInThrottle?: SignInThrottle;
  /** Proxies whose X-Forwarded-For names the client (TRUSTED_PROXIES); none when absent. */
  trustedProxies?: readonly string[];
}

/** A sign-in body is an e-mail and a password: a few hundred bytes. */
const MAX_AUTH_BODY_BYTES = 4_096;

/** What `/auth/sign-in` and `/auth/session` answer: who is signed in, where, and the CSRF token to send back. */
const sessionBody = (session: StaffSession) => ({
  staff: session.staff,
  tenant: session.tenant,
  csrfToken: session.csrfToken,
});

/** The socket's peer: a trusted proxy, or the client itself. */
function peerOf(c: Context<ApiEnv>): string {
  try {
    return getConnInfo(c).remote.address ?? "unknown";
  } catch {
    return "unknown"; // not served by Node (app.request in a test)
  }
}

/** `Secure` when the browser reached us over https, directly or through a proxy that terminates TLS. */
const overHttps = (c: Context<ApiEnv>) =>
  new URL(c.req.url).protocol === "https:" || c.req.header("x-forwarded-proto")?.split(",")[0]?.trim() === "https";

const unauthenticated = (c: Context<ApiEnv>) => {
  deleteCookie(c, STAFF_SESSION_COOKIE, { path: "/" });
  return errorResponse(c, "unauthenticated", "not signed in, or the session has ended; sign in again");
};

/** The session cookies open, as the tRPC and /admin middleware looks it up. */
export const staffSessionLookup =
  (db: Db): StaffSessionLookup =>
  async (token) => {
    const session = await resolveSession(db, token);
    return session ? { credential: credentialOfStaffSession(session), csrfToken: session.csrfToken } : null;
  };

/**
 * Signing in to the admin app with an e-mail and a password: the session's token goes in an HttpOnly,
 * SameSite=Strict cookie the app's scripts cannot read; the CSRF token in the body, for the app to send back.
 */
export function registerAuthRoutes(app: Hono<ApiEnv>, deps: AuthRouteDeps): void {
  app.use("/auth/*", assignRequestId, limitBody(MAX_AUTH_BODY_BYTES));
  const proxies = trustedProxyList(deps.trustedProxies ?? []);

  app.post("/auth/sign-in", async (c) => {
    // JSON only: a cross-site form cannot send it without a CORS preflight we would refuse.
    if (!/^application\/json\s*(;|$)/i.test(c.req.header("content-type") ?? ""))
      return errorResponse(c, "unsupported_media_type", "send the body as JSON with content-type: application/json");
    const body = await readBodyText(c).then(parsedOrUndefined);
    const input = SignInInput.safeParse(body);
    if (!input.success) {
      const issues = issuesFromZod(input.error);
      return errorResponse(
        c,
        "invalid_request",
        `the input is invalid: ${issues.map((i) => i.path).join(", ")}`,
        issues,
      );
    }
    try {
      const { token, session } = await signIn(deps.db, input.data, {
        clientIp: clientAddressOf(peerOf(c), c.req.header("x-forwarded-for"), proxies),
        ...(deps.signInThrottle ? { throttle: deps.signInThrottle } : {}),
      });
      setCookie(c, STAFF_SESSION_COOKIE, token, {
        httpOnly: true,
        sameSite: "Strict",
        path: "/",
        secure: overHttps(c),
      });
      c.header("cache-control", "no-store");
      return c.json(sessionBody(session));
    } catch (e) {
      if (e instanceof SignInThrottled) c.header("Retry-After", String(e.retryAfterSeconds));
      if (isDomainError(e)) return errorResponse(c, e.code, e.message, e.issues);
      throw e;
    }
  });

  // No CSRF token asked here: this is how the app, after a reload, learns it. Other sites cannot read the answer.
  app.get("/auth/session", async (c) => {
    const token = getCookie(c, STAFF_SESSION_COOKIE);
    const session = token ? await resolveSession(deps.db, token) : null;
    if (!session) return unauthenticated(c);
    c.header("cache-control", "no-store");
    return c.json(sessionBody(session));
  });

  app.post("/auth/sign-out", async (c) => {
    const token = getCookie(c, STAFF_SESSION_COOKIE);
    const session = token ? await resolveSession(deps.db, token) : null;
    if (!token || !session) return unauthenticated(c);
    if (!sameSecret(c.req.header(CSRF_HEADER) ?? "", session.csrfToken))
      return errorResponse(c, "forbidden", `send the session's CSRF token in the ${CSRF_HEADER} header`);
    await signOut(deps.db, token);
    deleteCookie(c, STAFF_SESSION_COOKIE, { path: "/", httpOnly: true, sameSite: "Strict", secure: overHttps(c) });
    return c.body(null, 204);
  });
}

/** The body as JSON, or undefined for text that does not parse (refused by the schema, as a missing body is). */
function parsedOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
