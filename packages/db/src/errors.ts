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

/**
 * One error of a cause chain as Prisma's driver adapter reports it: the adapter's error `kind` and the SQLSTATE it
 * kept from Postgres (`originalCode`), else what the error carries itself.
 */
interface AdapterCause {
  kind: string | undefined;
  originalCode: string | undefined;
  /** The SQLSTATE however it is carried: the pg adapter passes it as `code` of kind "postgres", pg as `code`. */
  sqlState: string | undefined;
}

const asString = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);

const adapterCauseOf = (link: unknown): AdapterCause => {
  const err = link as {
    meta?: { driverAdapterError?: { cause?: { kind?: unknown; originalCode?: unknown; code?: unknown } } };
    kind?: unknown;
    code?: unknown;
  };
  const cause = err?.meta?.driverAdapterError?.cause;
  return {
    kind: asString(cause?.kind ?? err?.kind),
    originalCode: asString(cause?.originalCode),
    sqlState: asString(cause?.originalCode ?? cause?.code ?? err?.code),
  };
};

/** Whether any error of `e`'s cause chain (see `causeChain`), read as the adapter reports it, passes `test`. */
const someAdapterCause = (e: unknown, test: (cause: AdapterCause) => boolean): boolean =>
  causeChain(e).some((link) => test(adapterCauseOf(link)));

/** True when Postgres refused the work because of its own state (by SQLSTATE, never by message text). */
export const isServerStateDbError = (e: unknown): boolean => {
  const code = pgCodeOf(e);
  if (code && serverStateSqlStates.has(code)) return true;
  // The pg adapter names 53300 by kind alone, and passes other SQLSTATEs as `code` of kind "postgres".
  return someAdapterCause(
    e,
    ({ kind, sqlState }) =>
      kind === "TooManyConnections" || (sqlState !== undefined && serverStateSqlStates.has(sqlState)),
  );
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
  return someAdapterCause(
    e,
    ({ kind, originalCode }) =>
      (kind !== undefined && transientAdapterKinds.has(kind)) ||
      (originalCode !== undefined && transientSqlState(originalCode)),
  );
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
  return someAdapterCause(
    e,
    ({ kind, originalCode }) =>
      (kind !== undefined && unreachableAdapterKinds.has(kind)) ||
      (originalCode !== undefined && unreachableSqlState(originalCode)),
  );
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
