import type { Db } from "@regulars/db";
import { DomainError } from "@regulars/errors";
import { testDb, testTenant } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  addStaff,
  defaultSessionLifetime,
  hashSessionToken,
  resolveSession,
  SignInThrottled,
  signIn,
  signOut,
} from "../src/index.ts";

// Sign-in, throttling and sessions against the real database; the clock is passed in, never waited for.

let db: Db;
let tenantId: string;
let tenantName: string;
beforeAll(async () => {
  db = testDb();
  const tenant = await testTenant(db, "Session Grill");
  tenantId = tenant.tenantId;
  tenantName = (await db.tenant.findUniqueOrThrow({ where: { id: tenantId } })).name;
});
afterAll(async () => {
  await db?.$disconnect();
});

const password = "a long enough password";
let ips = 0;
/** A client address of its own per test: the per-IP limit must not carry from one test to the next. */
const freshIp = () => `198.51.100.${++ips}`;
const newMember = (role: "owner" | "analyst" = "owner") =>
  addStaff(
    db,
    tenantId,
    { email: `m-${Math.random().toString(36).slice(2)}@staff.test`, name: "Member", role, password },
    "key_1",
  );
const refusal = async (work: Promise<unknown>) => {
  try {
    await work;
  } catch (e) {
    if (e instanceof DomainError) return e;
  }
  throw new Error("expected a refusal");
};

describe("sign-in", () => {
  it("opens a session whose token is stored only as its hash", async () => {
    const m = await newMember();
    const { token, session } = await signIn(db, { email: m.email.toUpperCase(), password }, { clientIp: freshIp() });
    expect(session).toMatchObject({
      staff: { id: m.id, email: m.email, name: "Member", role: "owner" },
      tenant: { id: tenantId, name: tenantName, currency: "EUR", timezone: "Europe/Warsaw" },
      csrfToken: expect.stringMatching(/^[\w-]{43}$/),
    });
    const rows = await db.staffSession.findMany({ where: { staffId: m.id } });
    expect(rows.map((r) => r.tokenHash)).toEqual([hashSessionToken(token)]);
    expect(JSON.stringify(rows)).not.toContain(token);
    expect(await resolveSession(db, token)).toEqual(session);
  });

  it("answers an unknown e-mail and a wrong password with the same error", async () => {
    const m = await newMember();
    const ip = freshIp();
    const unknown = await refusal(signIn(db, { email: "nobody@staff.test", password }, { clientIp: ip }));
    const wrong = await refusal(signIn(db, { email: m.email, password: "not the password" }, { clientIp: ip }));
    expect([unknown.code, unknown.message]).toEqual([wrong.code, wrong.message]);
    expect(wrong.code).toBe("unauthenticated");
  });

  it("refuses an e-mail from one address after 5 failures in 15 min, even if right, until they age out", async () => {
    const m = await newMember();
    const ip = freshIp();
    const start = new Date();
    const at = (minutes: number) => new Date(start.getTime() + minutes * 60_000);
    for (let i = 0; i < 5; i++) {
      const e = await refusal(signIn(db, { email: m.email, password: "wrong" }, { clientIp: ip, now: at(i) }));
      expect(e.code).toBe("unauthenticated");
    }
    const throttled = await refusal(signIn(db, { email: m.email, password }, { clientIp: ip, now: at(5) }));
    expect(throttled).toBeInstanceOf(SignInThrottled);
    expect(throttled.code).toBe("rate_limited");
    // The first failure (at minute 0) leaves the window at minute 15: ten minutes from minute 5.
    expect((throttled as SignInThrottled).retryAfterSeconds).toBe(600);
    // Refused attempts do not count: once the first failure is out of the window, the right password works.
    expect((await signIn(db, { email: m.email, password }, { clientIp: ip, now: at(15.1) })).session.staff.id).toBe(
      m.id,
    );
    // ...and clears the account's failures from that address.
    expect(await db.staffSignInFailure.count({ where: { email: m.email, clientIp: ip } })).toBe(0);
  });

  it("does not refuse the right password from another address while one is refused for the e-mail", async () => {
    const m = await newMember();
    const [guesser, member] = [freshIp(), freshIp()];
    for (let i = 0; i < 8; i++) await refusal(signIn(db, { email: m.email, password: "wrong" }, { clientIp: guesser }));
    expect((await refusal(signIn(db, { email: m.email, password }, { clientIp: guesser }))).code).toBe("rate_limited");
    expect((await signIn(db, { email: m.email, password }, { clientIp: member })).session.staff.id).toBe(m.id);
    // The member's sign-in leaves the guesser's failures counted: they buy the guesser no fresh attempts.
    expect((await refusal(signIn(db, { email: m.email, password }, { clientIp: guesser }))).code).toBe("rate_limited");
  });

  it("counts a burst of attempts at once against each other", async () => {
    const m = await newMember();
    const ip = freshIp();
    const attempts = await Promise.all(
      Array.from({ length: 12 }, () => refusal(signIn(db, { email: m.email, password: "wrong" }, { clientIp: ip }))),
    );
    // Each attempt is recorded before the password is checked, so a burst counts against itself: at most five
    // reach the password check (none, when all twelve are recorded before any counts), the rest are throttled.
    const verified = attempts.filter((e) => e.code === "unauthenticated").length;
    const throttled = attempts.filter((e) => e.code === "rate_limited").length;
    expect(verified).toBeLessThanOrEqual(5);
    expect(verified + throttled).toBe(12);
  });

  it("refuses a client IP after its own limit of failures over many e-mails", async () => {
    const ip = freshIp();
    const throttle = { windowMs: 15 * 60_000, perEmailAndIp: 5, perIp: 3 };
    for (let i = 0; i < 3; i++)
      await refusal(signIn(db, { email: `guess${i}@staff.test`, password }, { clientIp: ip, throttle }));
    const m = await newMember();
    expect((await refusal(signIn(db, { email: m.email, password }, { clientIp: ip, throttle }))).code).toBe(
      "rate_limited",
    );
    expect((await signIn(db, { email: m.email, password }, { clientIp: freshIp(), throttle })).session).toBeDefined();
  });
});

describe("sessions", () => {
  it("slide 12 h from the last use, but never past 7 days after sign-in", async () => {
    const m = await newMember("analyst");
    const start = new Date();
    const later = (ms: number) => new Date(start.getTime() + ms);
    const { token, session } = await signIn(db, { email: m.email, password }, { clientIp: freshIp(), now: start });
    expect(Date.parse(session.expiresAt)).toBe(start.getTime() + defaultSessionLifetime.idleMs);
    const hour = 3_600_000;
    // Used every 11 h, it stays open past its first 12 h...
    for (let h = 11; h < 7 * 24 - 11; h += 11)
      expect(await resolveSession(db, token, { now: later(h * hour) })).not.toBeNull();
    // ...until the 7 days are up.
    expect(await resolveSession(db, token, { now: later(7 * 24 * hour + 1) })).toBeNull();

    const idle = await signIn(db, { email: m.email, password }, { clientIp: freshIp(), now: start });
    expect(await resolveSession(db, idle.token, { now: later(12 * hour + 1) })).toBeNull();
  });

  it("end at sign-out; an unknown token opens nothing", async () => {
    const m = await newMember();
    const { token } = await signIn(db, { email: m.email, password }, { clientIp: freshIp() });
    expect(await signOut(db, token)).toBe(true);
    expect(await resolveSession(db, token)).toBeNull();
    expect(await signOut(db, token)).toBe(false);
    expect(await resolveSession(db, "not-a-token")).toBeNull();
  });

  it("follow the member's role as it changes", async () => {
    const m = await newMember("analyst");
    await newMember("owner");
    const { token } = await signIn(db, { email: m.email, password }, { clientIp: freshIp() });
    await db.staffUser.update({ where: { id: m.id }, data: { role: "marketer" } });
    expect((await resolveSession(db, token))?.staff.role).toBe("marketer");
  });
});
