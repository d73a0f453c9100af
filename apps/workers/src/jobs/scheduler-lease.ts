import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import type { Db } from "@regulars/db";

export interface Lease {
  /** False once a renewal found the lease gone (expired and taken): stop starting new work. */
  readonly held: boolean;
  release(): Promise<void>;
}

/**
 * A lease in `scheduler_leases`, by the database's clock: taken when free or expired, renewed every third
 * of its TTL while held, deleted when done. Each statement commits on its own, so holding the lease keeps
 * no transaction (and no connection) open; a holder that dies lets it lapse within `ttlMs`.
 */
export async function tryAcquireLease(db: Db, name: string, ttlMs = 60_000): Promise<Lease | null> {
  const holder = `${hostname()}:${process.pid}:${randomBytes(4).toString("hex")}`;
  const ttl = `${ttlMs} milliseconds`;
  const taken = await db.$queryRaw<{ holder: string }[]>`
    INSERT INTO scheduler_leases (name, holder, acquired_at, expires_at) VALUES (${name}, ${holder}, now(), now() + ${ttl}::interval)
    ON CONFLICT (name) DO UPDATE SET holder = EXCLUDED.holder, acquired_at = EXCLUDED.acquired_at, expires_at = EXCLUDED.expires_at
      WHERE scheduler_leases.expires_at < now()
    RETURNING holder`;
  if (taken[0]?.holder !== holder) return null;

  let held = true;
  const renew = async () => {
    const n =
      await db.$executeRaw`UPDATE scheduler_leases SET expires_at = now() + ${ttl}::interval WHERE name = ${name} AND holder = ${holder}`.catch(
        () => 1,
      );
    if (n === 0) held = false;
  };
  const timer = setInterval(() => void renew(), Math.max(1_000, Math.floor(ttlMs / 3)));
  timer.unref();
  return {
    get held() {
      return held;
    },
    async release() {
      clearInterval(timer);
      await db.$executeRaw`DELETE FROM scheduler_leases WHERE name = ${name} AND holder = ${holder}`;
    },
  };
}
