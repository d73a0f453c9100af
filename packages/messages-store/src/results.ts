import type { MessageFailed, MessageSent } from "@regulars/contracts";
import { pushTargets, removePushToken } from "@regulars/customers-store";
import { type Db, type DbTx, withTransaction } from "@regulars/db";
import type { OutboxItem } from "@regulars/ledger-store";
import {
  afterFailure,
  defaultRetryPolicy,
  type OutgoingMessage,
  type RetryPolicy,
  type SendFailure,
} from "@regulars/messaging";
import type { ClaimedMessage } from "./claim.ts";
import { announceMessageEvents, messageEvent } from "./events.ts";
import { addressText, type SendDecision } from "./send-check.ts";
import { spentContent } from "./transactional.ts";

export type SendOutcome = "sent" | "retrying" | "failed" | "cancelled" | "held" | "stale";

export interface Recorded {
  outcome: SendOutcome;
  /** Domain events written with the change: publish them once it committed. */
  outbox: OutboxItem[];
}

const stale: Recorded = { outcome: "stale", outbox: [] };
const errorText = (failure: SendFailure) => `${failure.code}: ${failure.message}`.slice(0, 500);

/**
 * Moves a claimed message on, in one transaction with its domain event, unless another attempt was recorded
 * since it was claimed (its lease ran out and a second sender took it): then nothing changes (`stale`). The
 * guard is the attempt count the claim saw, so a slow sender can never overwrite a newer attempt's result.
 */
async function moveOn(
  db: Db,
  update: (tx: DbTx) => Promise<number>,
  events: (tx: DbTx) => Promise<OutboxItem[]>,
  outcome: SendOutcome,
): Promise<Recorded> {
  return withTransaction(db, async (tx) => {
    if ((await update(tx)) === 0) return stale;
    return { outcome, outbox: await events(tx) };
  });
}

/**
 * The provider took it: `sent`, with the provider's id, and `message.sent`. A push can be tapped before this is
 * written: a status the tracker already moved further stays, and the send is recorded all the same.
 */
export async function recordSent(
  db: Db,
  claimed: ClaimedMessage,
  message: OutgoingMessage,
  provider: string,
  providerMessageId: string,
  now: Date,
): Promise<Recorded> {
  const [recorded] = await recordSentMany(db, [{ claimed, message, provider, providerMessageId }], now);
  return recorded!;
}

export interface SentMessage {
  claimed: ClaimedMessage;
  message: OutgoingMessage;
  provider: string;
  providerMessageId: string;
}

/**
 * `recordSent` for many messages in one transaction: one UPDATE, one outbox write. Each is guarded by its own
 * claim's attempt count; results are in the order given, `stale` for those another attempt overtook.
 */
export async function recordSentMany(db: Db, sent: readonly SentMessage[], now: Date): Promise<Recorded[]> {
  if (!sent.length) return [];
  return withTransaction(db, async (tx) => {
    const updated = await tx.$queryRaw<{ id: string }[]>`
      UPDATE messages m SET status = CASE WHEN m.status = 'queued' THEN 'sent' ELSE m.status END,
        attempts = s.attempts + 1, provider = s.provider, provider_message_id = s.provider_message_id,
        to_address = s.to_address, sent_at = ${now}, last_error = NULL, next_attempt_at = ${now},
        content = ${spentContent}
      FROM unnest(${sent.map((s) => s.claimed.id)}::text[], ${sent.map((s) => s.claimed.attempts)}::int[],
                  ${sent.map((s) => s.provider)}::text[], ${sent.map((s) => s.providerMessageId)}::text[],
                  ${sent.map((s) => addressText(s.message))}::text[])
        AS s(id, attempts, provider, provider_message_id, to_address)
      WHERE m.id = s.id AND m.attempts = s.attempts AND m.status IN ('queued', 'delivered', 'opened', 'clicked')
      RETURNING m.id`;
    const moved = new Set(updated.map((r) => r.id));
    const events = sent
      .filter((s) => moved.has(s.claimed.id))
      .map((s) =>
        messageEvent<MessageSent>(s.claimed, now, {
          type: "message.sent",
          provider: s.provider,
          attempt: s.claimed.attempts + 1,
        }),
      );
    const items = await announceMessageEvents(tx, events);
    const itemOf = new Map(items.map((item, i) => [events[i]!.messageId, item]));
    return sent.map((s) => {
      const item = itemOf.get(s.claimed.id);
      return item ? { outcome: "sent" as const, outbox: [item] } : stale;
    });
  });
}

/**
 * The provider refused or could not be reached: tried again after the policy's backoff (or the provider's
 * Retry-After), or `failed` with the failure's code and `message.failed` when retrying cannot help or the
 * attempts are used up. A push device the provider says is gone is forgotten, so nothing is pushed to it again.
 */
export async function recordFailure(
  db: Db,
  claimed: ClaimedMessage,
  message: OutgoingMessage | null,
  provider: string,
  failure: SendFailure,
  opts: { now: Date; policy?: RetryPolicy; random?: number },
): Promise<Recorded> {
  const { now } = opts;
  const attempt = claimed.attempts + 1;
  const decision = afterFailure(opts.policy ?? defaultRetryPolicy, attempt, failure, now, opts.random ?? Math.random());
  if (decision.action === "retry")
    return moveOn(
      db,
      (tx) => tx.$executeRaw`
        UPDATE messages SET attempts = ${attempt}, provider = ${provider}, last_error = ${errorText(failure)},
          next_attempt_at = ${decision.at}
        WHERE id = ${claimed.id} AND attempts = ${claimed.attempts} AND status = 'queued'`,
      async () => [],
      "retrying",
    );
  const reason =
    decision.reason === "attempts_exhausted"
      ? `gave up after ${attempt} attempts: ${failure.message}`
      : failure.message;
  return moveOn(
    db,
    (tx) => tx.$executeRaw`
      UPDATE messages SET status = 'failed', attempts = ${attempt}, provider = ${provider},
        last_error = ${errorText(failure)}, failure_code = ${failure.code}, failed_at = ${now}, next_attempt_at = ${now},
        content = ${spentContent}
      WHERE id = ${claimed.id} AND attempts = ${claimed.attempts} AND status = 'queued'`,
    async (tx) => {
      // The message's customer as the check addressed it: a merged-away customer's devices are its survivor's.
      if (failure.code === "recipient_gone" && message?.channel === "push" && message.customerId)
        await forgetDevice(tx, claimed.tenantId, message.customerId, message.to.token);
      return announceMessageEvents(tx, [
        messageEvent<MessageFailed>(claimed, now, {
          type: "message.failed",
          code: failure.code,
          reason: reason.slice(0, 500),
        }),
      ]);
    },
    "failed",
  );
}

async function forgetDevice(tx: DbTx, tenantId: string, customerId: string, token: string) {
  for (const device of await pushTargets(tx, tenantId, customerId))
    if (device.token === token) await removePushToken(tx, tenantId, customerId, device.deviceId);
}

/**
 * It may not go any more (consent withdrawn, no address, caps used, campaign ended): `cancelled`, with the
 * reason in `failure_code` and `last_error`, announced as `message.failed` with that code.
 */
export function recordCancelled(
  db: Db,
  claimed: ClaimedMessage,
  decision: Extract<SendDecision, { action: "cancel" }>,
  now: Date,
): Promise<Recorded> {
  return moveOn(
    db,
    (tx) => tx.$executeRaw`
      UPDATE messages SET status = 'cancelled', failure_code = ${decision.code}, last_error = ${decision.reason},
        failed_at = ${now}, next_attempt_at = ${now}, content = ${spentContent}
      WHERE id = ${claimed.id} AND attempts = ${claimed.attempts} AND status = 'queued'`,
    (tx) =>
      announceMessageEvents(tx, [
        messageEvent<MessageFailed>(claimed, now, {
          type: "message.failed",
          code: decision.code,
          reason: decision.reason,
        }),
      ]),
    "cancelled",
  );
}

/** Its campaign is paused, or it would arrive in quiet hours: looked at again at `until`, no attempt counted. */
export function recordHeld(db: Db, claimed: ClaimedMessage, until: Date): Promise<Recorded> {
  return moveOn(
    db,
    (tx) => tx.$executeRaw`
      UPDATE messages SET next_attempt_at = ${until}
      WHERE id = ${claimed.id} AND attempts = ${claimed.attempts} AND status = 'queued'`,
    async () => [],
    "held",
  );
}
