import { causeChain, isConnectionFailure } from "@regulars/errors";
import type { Db } from "./client.ts";

type TxClient = Parameters<Parameters<Db["$transaction"]>[0]>[0];
export type DbTx = TxClient;
/** What raw-SQL code needs of a transaction: Prisma's raw methods, which a pg transaction also has. */
export type RawTx = Pick<DbTx, "$queryRaw" | "$executeRaw" | "$queryRawUnsafe" | "$executeRawUnsafe">;

const pgCodeOf = (e: unknown): string | undefined => {
  const err = e as {
    code?: string;
    meta?: { driverAdapterError?: { cause?: { originalCode?: string } } };
    cause?: { code?: string; originalCode?: string };
  };
  return (
    err?.meta?.driverAdapterError?.cause?.originalCode ?? err?.cause?.originalCode ?? err?.cause?.code ?? err?.code
  );
};

export const isUniqueViolation = (e: unknown): boolean => {
  const code = pgCodeOf(e);
  return code === "23505" || code === "P2002";
};

/** Serialization failures and deadlocks are safe to retry: Postgres rolled the whole transaction back. */
export const isRetryableConflict = (e: unknown): boolean => {
  const code = pgCodeOf(e);
  return code === "40001" || code === "40P01" || code === "P2034";
};

/** Prisma's driver-adapter error kinds that mean "the server could not be talked to", not "the query is wrong". */
const transientAdapterKinds = new Set([
  "DatabaseNotReachable",
  "ConnectionClosed",
  "SocketTimeout",
  "TooManyConnections",
  "TransactionWriteConflict",
]);

/**
 * Prisma's own codes for the same: P1001 unreachable, P1002 timed out, P1008 operation timed out,
 * P1017 connection closed, P2024 pool timeout, P2028 transaction API error (its timeouts), P2034 conflict.
 */
const transientPrismaCodes = new Set(["P1001", "P1002", "P1008", "P1017", "P2024", "P2028", "P2034"]);

/**
 * SQLSTATEs that say nothing about the statement: 08xxx connection exceptions, 40001 serialization
 * failure, 40P01 deadlock, 53300 too many connections, 57014 statement timeout, 57P01-57P03 server
 * shutting down or not accepting connections yet (a failover in progress).
 */
const transientSqlState = (code: string) =>
  /^08[0-9A-Z]{3}$/.test(code) || ["40001", "40P01", "53300", "57014", "57P01", "57P02", "57P03"].includes(code);

/**
 * SQLSTATEs that name the server's state, which no statement of ours causes: 25006 read-only (a standby, or
 * the old primary after a failover), 53100 disk full, 53300 too many connections, 57P01-57P03 shutting down,
 * crash recovery, not accepting connections yet. `SELECT 1` may well answer meanwhile, so a probe cannot
 * tell that this is over; only the write itself can (see ConsumerDependency.isServerState).
 */
const serverStateSqlStates = new Set(["25006", "53100", "53300", "57P01", "57P02", "57P03"]);

/** True when Postgres refused the work because of its own state (by SQLSTATE, never by message text). */
export const isServerStateDbError = (e: unknown): boolean => {
  const code = pgCodeOf(e);
  if (code && serverStateSqlStates.has(code)) return true;
  return causeChain(e).some((c) => {
    const err = c as {
      meta?: { driverAdapterError?: { cause?: { kind?: string; originalCode?: string; code?: string } } };
      kind?: string;
      code?: unknown;
    };
    const cause = err?.meta?.driverAdapterError?.cause;
    const kind = cause?.kind ?? err?.kind;
    // The pg adapter names 53300 by kind alone, and passes other SQLSTATEs as `code` of kind "postgres".
    const code = cause?.originalCode ?? cause?.code ?? err?.code;
    return kind === "TooManyConnections" || (typeof code === "string" && serverStateSqlStates.has(code));
  });
};

/**
 * True when a failure is about reaching Postgres (outage, failover, restart, pool exhausted, lost
 * connection) or a conflict Postgres rolled back, i.e. the same work may succeed later unchanged.
 * A caller should still confirm with a probe: a timeout can also be the work's own fault.
 */
export const isTransientDbError = (e: unknown): boolean => {
  if (isConnectionFailure(e) || isServerStateDbError(e)) return true;
  const code = pgCodeOf(e);
  if (code && (transientPrismaCodes.has(code) || transientSqlState(code))) return true;
  return causeChain(e).some((c) => {
    const err = c as {
      meta?: { driverAdapterError?: { cause?: { kind?: string; originalCode?: string } } };
      kind?: string;
    };
    const kind = err?.meta?.driverAdapterError?.cause?.kind ?? err?.kind;
    const original = err?.meta?.driverAdapterError?.cause?.originalCode;
    return (
      (kind !== undefined && transientAdapterKinds.has(kind)) || (original !== undefined && transientSqlState(original))
    );
  });
};

/** Prisma's codes for not reaching the server: P1001 unreachable, P1002 timed out, P1017 closed, P2024 pool timeout. */
const unreachablePrismaCodes = new Set(["P1001", "P1002", "P1017", "P2024"]);
/** The adapter's kinds for the same; SocketTimeout and write conflicts can be the work's own doing. */
const unreachableAdapterKinds = new Set(["DatabaseNotReachable", "ConnectionClosed", "TooManyConnections"]);
/** 08xxx connection exceptions, 53300 too many connections, 57P01-57P03 shutting down, recovering, not yet up. */
const unreachableSqlState = (code: string) =>
  /^08[0-9A-Z]{3}$/.test(code) || ["53300", "57P01", "57P02", "57P03"].includes(code);

/**
 * True when Postgres could not be talked to or takes no connections (down, restarting, failing over, out of
 * connections): what "unavailable, retry later" means. Narrower than `isTransientDbError` on purpose: a statement or
 * transaction timeout, a conflict, a read-only server answer a statement of ours (a slow query is a bug to see, not
 * an outage to wait out), and a socket error may come from another store (ClickHouse), which only a probe of
 * Postgres tells apart.
 */
export const isDbUnreachable = (e: unknown): boolean => {
  const code = pgCodeOf(e);
  if (code && (unreachablePrismaCodes.has(code) || unreachableSqlState(code))) return true;
  if (isConnectionFailure(e)) return true;
  return causeChain(e).some((c) => {
    const err = c as {
      meta?: { driverAdapterError?: { cause?: { kind?: string; originalCode?: string } } };
      kind?: string;
    };
    const kind = err?.meta?.driverAdapterError?.cause?.kind ?? err?.kind;
    const original = err?.meta?.driverAdapterError?.cause?.originalCode;
    return (
      (kind !== undefined && unreachableAdapterKinds.has(kind)) ||
      (original !== undefined && unreachableSqlState(original))
    );
  });
};

/** Run `fn` in one database transaction, retrying when Postgres reports a serialization conflict. */
export async function withTransaction<T>(
  db: Db,
  fn: (tx: DbTx) => Promise<T>,
  opts: { attempts?: number; timeoutMs?: number } = {},
): Promise<T> {
  const attempts = opts.attempts ?? 5;
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.$transaction(fn, { timeout: opts.timeoutMs ?? 60_000, maxWait: 30_000 });
    } catch (e) {
      if (attempt >= attempts || !isRetryableConflict(e)) throw e;
      await new Promise((r) => setTimeout(r, 10 * 2 ** attempt));
    }
  }
}
