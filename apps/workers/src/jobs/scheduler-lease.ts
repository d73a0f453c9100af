import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import type { Db } from "@regulars/db";
import type { Logger } from "@regulars/logger";

export interface Lease {
  /**
   * Whether the holder may start new work: false from a renewal that failed, found the lease taken, or did not answer
   * before the lease could have lapsed, until a renewal succeeds (never again once taken).
   */
  readonly held: boolean;
  release(): Promise<void>;
}

/** Renewals waiting for Postgres at once: enough to ride out answers slower than a tick, not a pile-up on a hang. */
const MAX_RENEWALS_IN_FLIGHT = 3;

export interface LeaseOptions {
  log: Logger;
  /** How long the lease lasts unrenewed (60 s when absent). */
  ttlMs?: number;
}

/**
 * A lease in `scheduler_leases`, by the database's clock: taken when free or expired, renewed every third
 * of its TTL while held, deleted when done. Each statement commits on its own, so holding the lease keeps
 * no transaction (and no connection) open; a holder that dies lets it lapse within `ttlMs`.
 */
export async function tryAcquireLease(db: Db, name: string, opts: LeaseOptions): Promise<Lease | null> {
  const { log, ttlMs = 60_000 } = opts;
  const holder = `${hostname()}:${process.pid}:${randomBytes(4).toString("hex")}`;
  const ttl = `${ttlMs} milliseconds`;
  const acquiredFrom = performance.now();
  const taken = await db.$queryRaw<{ holder: string }[]>`
    INSERT INTO scheduler_leases (name, holder, acquired_at, expires_at) VALUES (${name}, ${holder}, now(), now() + ${ttl}::interval)
    ON CONFLICT (name) DO UPDATE SET holder = EXCLUDED.holder, acquired_at = EXCLUDED.acquired_at, expires_at = EXCLUDED.expires_at
      WHERE scheduler_leases.expires_at < now()
    RETURNING holder`;
  if (taken[0]?.holder !== holder) return null;

  // Counted from before the statement that set expires_at, by this process's monotonic clock: the database's
  // expires_at is no earlier, so until then no other holder can have taken the lease.
  let confirmedUntil = acquiredFrom + ttlMs;
  let state: "held" | "unconfirmed" | "taken" = "held";
  let inFlight = 0;
  let released = false;
  const unconfirm = (reason: string) => {
    if (state !== "held") return;
    state = "unconfirmed";
    log.warn({ lease: name, reason }, "scheduler lease not renewed; no new scheduled work until a renewal succeeds");
  };
  const renew = async () => {
    inFlight++;
    const sentAt = performance.now();
    try {
      const n = await db.$executeRaw`
        UPDATE scheduler_leases SET expires_at = now() + ${ttl}::interval WHERE name = ${name} AND holder = ${holder}`;
      // A renewal that crossed the release finds the row deleted: nothing is lost then. Taken stays taken: a success
      // sent before the attempt that found the lease gone vouches for nothing after it.
      if (released || state === "taken") return;
      if (n === 0) {
        // Lapsed and taken (or freed by hand): the row is no longer ours, and no later renewal can make it so.
        state = "taken";
        clearInterval(timer);
        log.warn({ lease: name }, "scheduler lease taken by another holder; no new scheduled work here");
        return;
      }
      // Renewals may overlap (a slow Postgres answering one after the next was sent): each vouches from its sending.
      confirmedUntil = Math.max(confirmedUntil, sentAt + ttlMs);
      // A renewal that answered too late to count leaves the lease unconfirmed until the next one.
      if (state === "unconfirmed" && performance.now() < confirmedUntil) {
        state = "held";
        log.info({ lease: name }, "scheduler lease renewed again; scheduled work resumes");
      }
    } catch (e) {
      if (!released && state !== "taken")
        unconfirm(
          String((e as Error)?.message ?? e)
            .replace(/\s+/g, " ")
            .trim(),
        );
    } finally {
      inFlight--;
    }
  };
  const tick = () => {
    if (performance.now() >= confirmedUntil) unconfirm("no renewal answered before the lease could lapse");
    // A renewal is sent on every tick, even while the last is unanswered: one answering after TTL/3 (a slow but working
    // Postgres) must not leave the lease unconfirmed until the tick after it. A few at most, should Postgres hang.
    if (inFlight < MAX_RENEWALS_IN_FLIGHT) void renew();
  };
  const timer = setInterval(tick, Math.max(1_000, Math.floor(ttlMs / 3)));
  timer.unref();
  return {
    get held() {
      return state === "held" && performance.now() < confirmedUntil;
    },
    async release() {
      released = true;
      clearInterval(timer);
      await db.$executeRaw`DELETE FROM scheduler_leases WHERE name = ${name} AND holder = ${holder}`;
    },
  };
}
