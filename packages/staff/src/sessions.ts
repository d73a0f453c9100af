import { hash, randomBytes } from "node:crypto";
import { unstorableText } from "@regulars/contracts";
import type { Db } from "@regulars/db";
import { DomainError } from "@regulars/errors";
import { decoyPasswordHash, verifyPassword } from "./passwords.ts";
import { normalizeEmail, type SignedInStaff, type SignInInput, type StaffRole } from "./staff.types.ts";
import { admitSignInAttempt, defaultSignInThrottle, type SignInThrottle, settleSignInAttempt } from "./throttle.ts";

/**
 * Staff sessions. The browser holds a random token in an HttpOnly cookie; Postgres holds only its SHA-256, so
 * reading the table signs no one in. Expiry slides: a session lasts 12 h after its last use, and never more
 * than 7 days after sign-in, when the password is asked again. Sessions are looked up on every request (no
 * cache): signing out, removing a member or changing a role takes effect on the next request.
 */
export interface SessionLifetime {
  idleMs: number;
  maxMs: number;
}

export const defaultSessionLifetime: SessionLifetime = { idleMs: 12 * 3_600_000, maxMs: 7 * 24 * 3_600_000 };

/** `last_seen_at` (and the sliding expiry) is written at most this often: an admin page makes many calls. */
const TOUCH_GRANULARITY_MS = 60_000;

/** A session's signed-in member and tenant, and the CSRF token every request with its cookie must repeat. */
export interface StaffSession extends SignedInStaff {
  csrfToken: string;
  expiresAt: string;
}

export const hashSessionToken = (token: string): string => hash("sha256", token, "hex");
const newSecret = () => randomBytes(32).toString("base64url");

/** Thrown when sign-in is throttled; the HTTP route repeats the wait in `Retry-After`. */
export class SignInThrottled extends DomainError {
  constructor(readonly retryAfterSeconds: number) {
    super("rate_limited", `too many failed sign-ins; try again in ${retryAfterSeconds} s`);
  }
}

/** One message for an unknown address and a wrong password: the answer must not tell which addresses exist. */
const wrongCredentials = () => new DomainError("unauthenticated", "the e-mail address or the password is wrong");

export interface SignInOptions {
  clientIp: string;
  now?: Date;
  throttle?: SignInThrottle;
  lifetime?: SessionLifetime;
}

const expiryOf = (createdAt: Date, now: Date, lifetime: SessionLifetime) =>
  new Date(Math.min(now.getTime() + lifetime.idleMs, createdAt.getTime() + lifetime.maxMs));

type SessionRow = {
  csrfToken: string;
  expiresAt: Date;
  staff: {
    id: string;
    email: string;
    name: string;
    role: string;
    tenantId: string;
  };
};

async function sessionView(db: Db, row: SessionRow): Promise<StaffSession> {
  const tenant = await db.tenant.findUniqueOrThrow({ where: { id: row.staff.tenantId } });
  return {
    staff: { id: row.staff.id, email: row.staff.email, name: row.staff.name, role: row.staff.role as StaffRole },
    tenant: { id: tenant.id, name: tenant.name, currency: tenant.currency, timezone: tenant.timezone },
    csrfToken: row.csrfToken,
    expiresAt: row.expiresAt.toISOString(),
  };
}

/**
 * Checks the password (throttled per e-mail and client IP, and per client IP) and opens a session; the token is
 * returned this once, for the cookie. Throws `unauthenticated` for a wrong address or password alike,
 * `SignInThrottled` when refused.
 */
export async function signIn(
  db: Db,
  input: SignInInput,
  opts: SignInOptions,
): Promise<{ token: string; session: StaffSession }> {
  const now = opts.now ?? new Date();
  // Text Postgres cannot store (a NUL) is no one's address: wrong, before it reaches the attempts' log.
  if (unstorableText(input.email) || unstorableText(input.password)) throw wrongCredentials();
  const email = normalizeEmail(input.email);
  const admission = await admitSignInAttempt(
    db,
    { email, clientIp: opts.clientIp },
    opts.throttle ?? defaultSignInThrottle,
    now,
  );
  if (!admission.admitted) throw new SignInThrottled(admission.retryAfterSeconds);
  const user = await db.staffUser.findUnique({ where: { email } });
  const valid = await verifyPassword(input.password, user?.passwordHash ?? (await decoyPasswordHash()));
  await settleSignInAttempt(db, { attemptId: admission.attemptId, email, clientIp: opts.clientIp }, valid, now);
  if (!user || !valid) throw wrongCredentials();

  const token = newSecret();
  const lifetime = opts.lifetime ?? defaultSessionLifetime;
  const row = await db.staffSession.create({
    data: {
      tokenHash: hashSessionToken(token),
      tenantId: user.tenantId,
      staffId: user.id,
      csrfToken: newSecret(),
      createdAt: now,
      lastSeenAt: now,
      expiresAt: expiryOf(now, now, lifetime),
    },
    include: { staff: true },
  });
  // The member's ended sessions go as a new one starts, so the table never grows with old ones.
  await db.staffSession.deleteMany({ where: { staffId: user.id, expiresAt: { lte: now } } });
  return { token, session: await sessionView(db, row) };
}

/** The session a cookie's token opens, with its expiry moved on; null when unknown, signed out or expired. */
export async function resolveSession(
  db: Db,
  token: string,
  opts: { now?: Date; lifetime?: SessionLifetime } = {},
): Promise<StaffSession | null> {
  const now = opts.now ?? new Date();
  const row = await db.staffSession.findUnique({
    where: { tokenHash: hashSessionToken(token) },
    include: { staff: true },
  });
  if (!row || row.expiresAt <= now) return null;
  if (now.getTime() - row.lastSeenAt.getTime() >= TOUCH_GRANULARITY_MS) {
    row.expiresAt = expiryOf(row.createdAt, now, opts.lifetime ?? defaultSessionLifetime);
    await db.staffSession.updateMany({
      where: { tokenHash: row.tokenHash },
      data: { lastSeenAt: now, expiresAt: row.expiresAt },
    });
  }
  return sessionView(db, row);
}

/** Ends the session (its cookie opens nothing afterwards); true when there was one. */
export async function signOut(db: Db, token: string): Promise<boolean> {
  const { count } = await db.staffSession.deleteMany({ where: { tokenHash: hashSessionToken(token) } });
  return count > 0;
}
