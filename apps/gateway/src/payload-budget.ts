/**
 * What NATS carries for one transaction beyond its JSON as posted: the stored message's envelope (tenant, ids,
 * `receivedAt`) and message-id header, the defaults the contract fills in (each line's `tags` and `discount`), and
 * what its transaction.processed event adds per line (`lineNo`, `category`, `amount`), for up to 500 lines.
 */
const transactionOverheadBytes = 64 * 1024;
/** A dead letter's own fields (reason, consumer, subject, times) and headers around the payload it keeps. */
const deadLetterOverheadBytes = 8 * 1024;

/**
 * The largest body limit whose transactions fit under a NATS server's `max_payload` as stored, as their events and
 * as dead letters. A dead letter carries the stored message as a JSON string, and escaping at most doubles it
 * (every `"` and `\` gains a backslash).
 */
export function largestBodyFor(maxPayload: number): number {
  return Math.floor((maxPayload - deadLetterOverheadBytes) / 2) - transactionOverheadBytes;
}

/**
 * Refuses to start a gateway whose body limit lets a transaction in that NATS cannot carry: it would be answered
 * 503 on every retry (or accepted and then never published as an event). `maxPayload` is what the connected
 * server announced; nothing is checked without it.
 */
export function refuseBodyLimitOverPayload(maxBodyBytes: number, maxPayload: number | undefined): void {
  if (maxPayload === undefined || maxBodyBytes <= largestBodyFor(maxPayload)) return;
  const needed = 2 * (maxBodyBytes + transactionOverheadBytes) + deadLetterOverheadBytes;
  throw new Error(
    `MAX_BODY_BYTES ${maxBodyBytes} is too large for the NATS server's max_payload of ${maxPayload} bytes: a transaction ` +
      "that large, with its message envelope, events and escaped dead letter, would not fit. Set MAX_BODY_BYTES to at " +
      `most ${largestBodyFor(maxPayload)}, or raise max_payload in the NATS server's configuration to at least ${needed}.`,
  );
}
