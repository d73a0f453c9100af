/**
 * Socket-level failures: the peer is unreachable, refused, reset or timed out. They say nothing about
 * the request itself, only that the service could not be talked to, so callers may wait and try the
 * same work again. Drivers wrap them (pg, Prisma's adapter, HTTP clients), so the whole `cause`
 * chain (and AggregateError members, from happy-eyeballs connects) is searched.
 */
const socketCodes = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ECONNABORTED",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "EHOSTDOWN",
  "ENETUNREACH",
  "ENETDOWN",
  "EAI_AGAIN",
  "ERR_SOCKET_CLOSED",
  "ERR_STREAM_PREMATURE_CLOSE",
  "UND_ERR_SOCKET",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_CLOSED",
]);

/** Messages of wrappers that drop the code: pg, pg-pool and Node's http client. */
const socketMessages = [
  /connection terminated/i,
  /server closed the connection unexpectedly/i,
  /has closed the connection/i,
  /socket hang up/i,
  /timeout exceeded when trying to connect/i,
  /client has encountered a connection error/i,
  /can't reach database server/i,
  /connection (?:refused|reset)/i,
];

/** Every error in `error`'s cause chain, outermost first (bounded: causes can form cycles). */
export function causeChain(error: unknown): unknown[] {
  const out: unknown[] = [];
  const queue = [error];
  while (queue.length && out.length < 20) {
    const e = queue.shift();
    if (e === null || e === undefined || out.includes(e)) continue;
    out.push(e);
    if (typeof e !== "object") continue;
    const { cause, errors } = e as { cause?: unknown; errors?: unknown };
    queue.push(cause);
    if (Array.isArray(errors)) queue.push(...errors);
  }
  return out;
}

export function isConnectionFailure(error: unknown): boolean {
  return causeChain(error).some((e) => {
    if (typeof e !== "object" || e === null) return typeof e === "string" && socketMessages.some((re) => re.test(e));
    const { code, message } = e as { code?: unknown; message?: unknown };
    if (typeof code === "string" && socketCodes.has(code)) return true;
    return typeof message === "string" && socketMessages.some((re) => re.test(message));
  });
}
