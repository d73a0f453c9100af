import type { Db } from "@regulars/db";
import { createLogger } from "@regulars/logger";
import { listen } from "@regulars/runtime";
import { addStaff, type StaffRole } from "@regulars/staff";
import { type CreatedTenant, CredentialCache } from "@regulars/tenancy";
import { testDb, testTenant } from "@regulars/testing";
import { Registry } from "prom-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiDeps, createApiApp } from "../src/app.ts";

/** Staff signing in to the admin app: the API on a real port, cookies and headers as a browser sends them. */
let db: Db;
let server: Awaited<ReturnType<typeof listen>>;
let tenant: CreatedTenant;
const password = "a long enough password";

/** The API on a port of its own; the tests here reach it from 127.0.0.1. */
const serve = (deps: Partial<ApiDeps> = {}) =>
  listen(
    createApiApp({
      db,
      credentials: new CredentialCache(db, 0),
      log: createLogger({ level: "silent" }),
      registry: new Registry(),
      readiness: {},
      corsOrigins: ["http://localhost:5173"],
      ...deps,
    }).fetch,
    "127.0.0.1",
    0,
  );

beforeAll(async () => {
  db = testDb();
  tenant = await testTenant(db, "Sign-in Grill");
  server = await serve();
});
afterAll(async () => {
  await server?.close();
  await db?.$disconnect();
});

async function member(role: StaffRole) {
  const email = `${role}-${Math.random().toString(36).slice(2)}@staff.test`;
  const added = await addStaff(db, tenant.tenantId, { email, name: `The ${role}`, role, password }, "test");
  return { ...added, password };
}

const signIn = (email: string, pw: string, headers: Record<string, string> = {}, at = server.url) =>
  fetch(`${at}/auth/sign-in`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify({ email, password: pw }),
  });

/** Signs in and keeps what the admin app keeps: the cookie (the browser does) and the CSRF token. */
async function session(role: StaffRole) {
  const m = await member(role);
  const res = await signIn(m.email, m.password);
  expect(res.status).toBe(200);
  const cookie = res.headers.get("set-cookie")!.split(";")[0]!;
  const body = (await res.json()) as { csrfToken: string };
  return { member: m, cookie, csrfToken: body.csrfToken };
}

type Session = Awaited<ReturnType<typeof session>>;
const call = (s: Pick<Session, "cookie"> & { csrfToken?: string }, path: string, init: RequestInit = {}) =>
  fetch(`${server.url}${path}`, {
    ...init,
    headers: {
      cookie: s.cookie,
      ...(s.csrfToken ? { "x-csrf-token": s.csrfToken } : {}),
      ...(init.body ? { "content-type": "application/json" } : {}),
    },
  });
const query = (s: Session, procedure: string) => call(s, `/trpc/${procedure}`);
const mutate = (s: Session, procedure: string, input: unknown) =>
  call(s, `/trpc/${procedure}`, { method: "POST", body: JSON.stringify(input) });
const codeOf = async (res: Response) =>
  ((await res.json()) as { error?: { data?: { error?: { code: string } } } }).error?.data?.error?.code;

describe("POST /auth/sign-in", () => {
  it("sets an HttpOnly SameSite=Strict session cookie and answers the member, tenant and CSRF token", async () => {
    const m = await member("owner");
    const res = await signIn(m.email.toUpperCase(), m.password);
    expect(res.status).toBe(200);
    const cookie = res.headers.get("set-cookie")!;
    expect(cookie).toMatch(/^regulars_session=[\w-]{43};/);
    expect(cookie).toMatch(/; HttpOnly/);
    expect(cookie).toMatch(/; SameSite=Strict/);
    expect(cookie).toMatch(/; Path=\//);
    expect(cookie).not.toMatch(/Secure/);
    expect(await res.json()).toEqual({
      staff: { id: m.id, email: m.email, name: "The owner", role: "owner" },
      tenant: {
        id: tenant.tenantId,
        name: expect.stringContaining("Sign-in Grill"),
        currency: "EUR",
        timezone: "Europe/Warsaw",
      },
      csrfToken: expect.stringMatching(/^[\w-]{43}$/),
    });
    const behindTls = await signIn(m.email, m.password, { "x-forwarded-proto": "https" });
    expect(behindTls.headers.get("set-cookie")).toMatch(/; Secure/);
  });

  it("answers a wrong password and an unknown e-mail alike: 401 unauthenticated, no cookie", async () => {
    const m = await member("marketer");
    const wrong = await signIn(m.email, "not the password at all");
    const unknown = await signIn("nobody-here@staff.test", m.password);
    for (const res of [wrong, unknown]) {
      expect(res.status).toBe(401);
      expect(res.headers.get("set-cookie")).toBeNull();
    }
    const [a, b] = [(await wrong.json()) as Record<string, unknown>, (await unknown.json()) as Record<string, unknown>];
    expect(a).toMatchObject({ code: "unauthenticated", requestId: expect.any(String) });
    expect({ ...a, requestId: "" }).toEqual({ ...b, requestId: "" });
  });

  it("refuses the 6th attempt at an e-mail from one address in 15 min: 429, Retry-After, even if right", async () => {
    const m = await member("operator");
    for (let i = 0; i < 5; i++) expect((await signIn(m.email, `wrong password ${i}`)).status).toBe(401);
    const refused = await signIn(m.email, m.password);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(800);
    expect(await refused.json()).toMatchObject({ code: "rate_limited" });
  });

  it("behind a trusted proxy, throttles the address it forwards, not the proxy's own", async () => {
    const limits = { windowMs: 15 * 60_000, perEmailAndIp: 5, perIp: 3 };
    const behindProxy = await serve({ trustedProxies: ["127.0.0.1"], signInThrottle: limits });
    try {
      const m = await member("owner");
      const from = (client: string) => ({ "x-forwarded-for": client });
      for (let i = 0; i < 3; i++)
        expect((await signIn(`guess-${i}@staff.test`, "wrong", from("203.0.113.7"), behindProxy.url)).status).toBe(401);
      // What the client wrote left of the address the proxy saw does not get it out of its own limit...
      const guesser = await signIn(m.email, m.password, from("198.51.100.77, 203.0.113.7"), behindProxy.url);
      expect(guesser.status).toBe(429);
      // ...and another client behind the same proxy is not held to it.
      expect((await signIn(m.email, m.password, from("198.51.100.9"), behindProxy.url)).status).toBe(200);
    } finally {
      await behindProxy.close();
    }
  });

  it("counts an IPv6 client's guesses at an e-mail across its /64: 2001:db8::1 to ::6 are one client", async () => {
    const behindProxy = await serve({ trustedProxies: ["127.0.0.1"] });
    try {
      const m = await member("operator");
      const from = (i: number) => ({ "x-forwarded-for": `2001:db8::${i}` });
      for (let i = 1; i <= 5; i++) expect((await signIn(m.email, "wrong", from(i), behindProxy.url)).status).toBe(401);
      const sixth = await signIn(m.email, m.password, from(6), behindProxy.url);
      expect([sixth.status, ((await sixth.json()) as { code: string }).code]).toEqual([429, "rate_limited"]);
      // Another network is another client.
      const nextNetwork = { "x-forwarded-for": "2001:db8:0:1::1" };
      expect((await signIn(m.email, m.password, nextNetwork, behindProxy.url)).status).toBe(200);
    } finally {
      await behindProxy.close();
    }
  });

  it("without trusted proxies, ignores X-Forwarded-For: a forged one does not escape the limit", async () => {
    const direct = await serve({ signInThrottle: { windowMs: 15 * 60_000, perEmailAndIp: 5, perIp: 3 } });
    try {
      const m = await member("owner");
      const forged = (i: number) => ({ "x-forwarded-for": `192.0.2.${i}` });
      for (let i = 0; i < 3; i++) await signIn(`forger-${i}@staff.test`, "wrong", forged(i), direct.url);
      const refused = await signIn(m.email, m.password, forged(99), direct.url);
      expect([refused.status, ((await refused.json()) as { code: string }).code]).toEqual([429, "rate_limited"]);
    } finally {
      await direct.close();
    }
  });

  it("refuses a body that is not JSON, or not an e-mail and a password, in the house error shape", async () => {
    const form = await fetch(`${server.url}/auth/sign-in`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "email=a&password=b",
    });
    expect(form.status).toBe(415);
    const missing = await fetch(`${server.url}/auth/sign-in`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: "a@staff.test" }),
    });
    expect(missing.status).toBe(400);
    expect(await missing.json()).toMatchObject({ code: "invalid_request", issues: [{ path: "password" }] });
  });

  it("answers an address Postgres cannot store as a wrong one, not a 500", async () => {
    const res = await signIn("a\u0000@staff.test", password);
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ code: "unauthenticated", requestId: expect.any(String) });
  });
});

describe("what tRPC does not answer", () => {
  it("a path that is not percent-encoding, and one nothing serves, in the house error shape", async () => {
    const broken = await fetch(`${server.url}/trpc/tenants.me%?batch=1`, {
      headers: { authorization: `Bearer ${tenant.apiKeys.admin}` },
    });
    expect(broken.status).toBe(400);
    expect(await broken.json()).toMatchObject({ code: "invalid_request", requestId: expect.any(String) });
    const nowhere = await fetch(`${server.url}/nothing-here`);
    expect(nowhere.status).toBe(404);
    expect(await nowhere.json()).toMatchObject({ code: "not_found", requestId: expect.anything() });
  });
});

describe("the session cookie", () => {
  it("opens /auth/session, and tRPC only with the x-csrf-token header", async () => {
    const s = await session("owner");
    const current = await call({ cookie: s.cookie }, "/auth/session");
    expect(current.status).toBe(200);
    expect(await current.json()).toMatchObject({ staff: { id: s.member.id }, csrfToken: s.csrfToken });

    const withoutCsrf = await call({ cookie: s.cookie }, "/trpc/staff.me");
    expect(withoutCsrf.status).toBe(401);
    expect(await withoutCsrf.json()).toMatchObject({
      code: "unauthenticated",
      message: expect.stringContaining("x-csrf-token"),
    });
    const guessed = await call({ cookie: s.cookie, csrfToken: "guessed" }, "/trpc/staff.me");
    expect(guessed.status).toBe(401);
    // The cookie is not cleared: it may be another tab's session (below).
    expect(guessed.headers.get("set-cookie")).toBeNull();

    const me = await query(s, "staff.me");
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ result: { data: { staff: { id: s.member.id, role: "owner" } } } });
  });

  it("replaced by signing in again in another tab, leaves the first tab's CSRF token signed out, not forbidden", async () => {
    const first = await session("marketer");
    const again = await signIn(first.member.email, first.member.password);
    const { csrfToken } = (await again.json()) as { csrfToken: string };
    // The browser keeps one cookie: the second sign-in's, which the first tab now sends with its own token.
    const cookie = again.headers.get("set-cookie")!.split(";")[0]!;
    const stale = await call({ cookie, csrfToken: first.csrfToken }, "/trpc/staff.me");
    expect([stale.status, ((await stale.json()) as { code: string }).code]).toEqual([401, "unauthenticated"]);
    expect((await call({ cookie, csrfToken }, "/trpc/staff.me")).status).toBe(200);
  });

  it("acts with the member's role: analysts read, marketers are admins but not owners, owners manage staff", async () => {
    const analyst = await session("analyst");
    const refused = await query(analyst, "programme.get");
    expect([refused.status, await codeOf(refused)]).toEqual([403, "forbidden"]);

    const marketer = await session("marketer");
    expect((await query(marketer, "programme.get")).status).toBe(200);
    const add = { email: `x-${Date.now()}@staff.test`, name: "X", role: "analyst", password };
    expect((await mutate(marketer, "staff.add", add)).status).toBe(403);
    expect((await mutate(marketer, "apiKeys.create", { role: "pos" })).status).toBe(403);

    const owner = await session("owner");
    const created = await mutate(owner, "staff.add", add);
    expect(created.status).toBe(200);
    expect((await mutate(owner, "apiKeys.create", { role: "pos" })).status).toBe(200);
    const audit = await db.auditLog.findFirst({
      where: { tenantId: tenant.tenantId, action: "staff.add", actor: `staff:${owner.member.id}` },
    });
    expect(audit).not.toBeNull();
  });

  it("is revoked by sign-out, which needs the CSRF header and clears the cookie", async () => {
    const s = await session("operator");
    expect((await call({ cookie: s.cookie }, "/auth/sign-out", { method: "POST" })).status).toBe(403);
    const out = await call(s, "/auth/sign-out", { method: "POST" });
    expect(out.status).toBe(204);
    expect(out.headers.get("set-cookie")).toMatch(/^regulars_session=;.*Max-Age=0/);
    expect((await call({ cookie: s.cookie }, "/auth/session")).status).toBe(401);
    expect((await query(s, "staff.me")).status).toBe(401);
  });

  it("is refused once expired", async () => {
    const s = await session("owner");
    await db.staffSession.updateMany({
      where: { staffId: s.member.id },
      data: { expiresAt: new Date(Date.now() - 1_000) },
    });
    const res = await call({ cookie: s.cookie }, "/auth/session");
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ code: "unauthenticated" });
    expect((await query(s, "staff.me")).status).toBe(401);
  });

  it("loses to a bearer key, which needs no CSRF header", async () => {
    const s = await session("analyst");
    const res = await fetch(`${server.url}/trpc/staff.me`, {
      headers: { cookie: s.cookie, authorization: `Bearer ${tenant.apiKeys.admin}` },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ result: { data: { staff: null } } });
  });
});

describe("CORS", () => {
  it("lets the admin dev server send cookies and the CSRF header to /auth and /trpc", async () => {
    for (const path of ["/auth/sign-in", "/trpc/staff.me"]) {
      const res = await fetch(`${server.url}${path}`, {
        method: "OPTIONS",
        headers: {
          origin: "http://localhost:5173",
          "access-control-request-method": "POST",
          "access-control-request-headers": "content-type,x-csrf-token",
        },
      });
      expect(res.headers.get("access-control-allow-origin"), path).toBe("http://localhost:5173");
      expect(res.headers.get("access-control-allow-credentials"), path).toBe("true");
      expect(res.headers.get("access-control-allow-headers"), path).toContain("x-csrf-token");
    }
  });
});
