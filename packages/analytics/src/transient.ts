import { causeChain, isConnectionFailure } from "@regulars/errors";

/**
 * ClickHouse error types that are about the server's state, not the statement: network and socket
 * trouble, timeouts, overload, too many parts (inserts will be accepted again once merges catch up),
 * replicas or Keeper away (tables read-only meanwhile), a server shutting down.
 */
const transientTypes = new Set([
  "NETWORK_ERROR",
  "SOCKET_TIMEOUT",
  "TIMEOUT_EXCEEDED",
  "TOO_MANY_SIMULTANEOUS_QUERIES",
  "TOO_MANY_PARTS",
  "ALL_CONNECTION_TRIES_FAILED",
  "ALL_REPLICAS_ARE_STALE",
  "TABLE_IS_READ_ONLY",
  "KEEPER_EXCEPTION",
  "NO_ZOOKEEPER",
  "UNKNOWN_STATUS_OF_INSERT",
  "ABORTED",
  "QUERY_WAS_CANCELLED",
  "MEMORY_LIMIT_EXCEEDED",
  "SERVER_OVERLOADED",
]);

/**
 * A proxy or load balancer in front of ClickHouse answers 502/503/504 with a body of its own, which the
 * client turns into a plain Error carrying that body; the client's own request timeout says "Timeout error".
 */
const unavailableMessages = [
  /^\s*(?:502|503|504)\b/,
  /bad gateway/i,
  /service (?:temporarily )?unavailable/i,
  /server unavailable/i,
  /gateway time-?out/i,
  /^timeout error/i,
];

/**
 * The subset that names the server's state and that no statement can bring about by itself: Keeper or the
 * replicas away (tables read-only), too many parts waiting for merges, the server overloaded. `/ping` answers
 * Ok all along, so only a write can show that such a state is over (see ConsumerDependency.isServerState).
 * Left out on purpose: timeouts and a query's own memory limit, which one giant batch can hit every time.
 */
const serverStateTypes = new Set([
  "TABLE_IS_READ_ONLY",
  "KEEPER_EXCEPTION",
  "NO_ZOOKEEPER",
  "ALL_REPLICAS_ARE_STALE",
  "TOO_MANY_PARTS",
  "TOO_MANY_SIMULTANEOUS_QUERIES",
  "SERVER_OVERLOADED",
]);

/**
 * MEMORY_LIMIT_EXCEEDED covers both the server's total and one query's limit; ClickHouse's own text (the
 * message's start, which the client cuts after "DB::Exception: ") says which. Only the total is the server's.
 */
// Older servers write "Memory limit (total) exceeded"; newer ones (chdb 26 among them) "(total) memory limit
// exceeded" where one query's is "Query memory limit exceeded" and a user's "User memory limit exceeded".
const serverMemoryExhausted = /^\s*(?:Memory limit \(total\)|(?:\(total\)|Total) memory limit) exceeded/i;

/** True when ClickHouse refused the work because of its own state, by the error's type. */
export function isClickHouseServerStateError(e: unknown): boolean {
  return causeChain(e).some((c) => {
    const { type, message } = (c ?? {}) as { type?: unknown; message?: unknown };
    if (typeof type !== "string") return false;
    if (serverStateTypes.has(type)) return true;
    return type === "MEMORY_LIMIT_EXCEEDED" && typeof message === "string" && serverMemoryExhausted.test(message);
  });
}

/** True when a ClickHouse failure may go away by itself: the same insert can be tried again unchanged. */
export function isTransientClickHouseError(e: unknown): boolean {
  if (isConnectionFailure(e)) return true;
  return causeChain(e).some((c) => {
    const { type, message } = (c ?? {}) as { type?: unknown; message?: unknown };
    if (typeof type === "string") return transientTypes.has(type);
    // Only for errors that are not ClickHouse's own: a server error's text may quote anything.
    return typeof message === "string" && unavailableMessages.some((re) => re.test(message));
  });
}
