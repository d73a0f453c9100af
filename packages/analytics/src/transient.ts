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
