import { type Db, withTransaction } from "@regulars/db";
import {
  type DisablePolicy,
  defaultDisablePolicy,
  defaultRetrySchedule,
  nextAttemptAt,
  pingEventType,
  type RetrySchedule,
  shouldDisable,
} from "@regulars/webhooks";
import type { ClaimedDelivery } from "./claim.ts";
import { applyEndpointStatus, disabledErrorPrefix } from "./endpoints.ts";

/** How one attempt ended: a 2xx answer, another answer, or no answer (refused, timed out, reset). */
export type AttemptResult = { ok: true; statusCode: number } | { ok: false; statusCode: number | null; error: string };

export interface ResultOptions {
  now: Date;
  /** Draws the retry's jitter. */
  random?: () => number;
  schedule?: RetrySchedule;
  disablePolicy?: DisablePolicy;
}

/** Who is named in the audit log when the system, not an admin, switches an endpoint off. */
export const systemActor = "system:webhooks";

export type RecordedOutcome = "delivered" | "retrying" | "failed" | "stale";

/**
 * Records an attempt (senders record successes in batches with `recordDelivered`): delivered; or failed and due again by the retry schedule; or failed for good once the
 * retry window is over. The endpoint's failure streak moves with it, and an endpoint that kept failing past the
 * disable policy is switched off in the same transaction, audited, with the reason the admin reads in the list.
 * `stale` when another attempt was recorded since this one was claimed (its lease ran out): nothing changes.
 */
export async function recordAttempt(
  db: Db,
  claimed: ClaimedDelivery,
  result: AttemptResult,
  opts: ResultOptions,
): Promise<RecordedOutcome> {
  const { now } = opts;
  const error = result.ok ? null : result.error.slice(0, 500);
  const next = result.ok
    ? null
    : nextAttemptAt(
        claimed.attempts + 1 - claimed.attemptsBeforeWindow,
        claimed.windowStartedAt,
        now,
        (opts.random ?? Math.random)(),
        opts.schedule ?? defaultRetrySchedule,
      );
  const status = result.ok ? "delivered" : next ? "pending" : "failed";
  if (result.ok) {
    const recorded = await recordDelivered(db, [{ claimed, statusCode: result.statusCode }], now);
    return recorded.has(claimed.id) ? "delivered" : "stale";
  }
  return withTransaction(db, async (tx) => {
    const updated = await tx.webhookDelivery.updateMany({
      where: { id: claimed.id, attempts: claimed.attempts, status: "pending" },
      data: {
        status,
        attempts: claimed.attempts + 1,
        lastAttemptAt: now,
        lastStatusCode: result.statusCode,
        lastError: error,
        nextAttemptAt: next ?? now,
        ...(result.ok ? { deliveredAt: now } : {}),
      },
    });
    if (updated.count === 0) return "stale";
    if (claimed.eventType === pingEventType) return status === "pending" ? "retrying" : status;
    const [streak] = await tx.$queryRaw<{ consecutive_failures: number; failing_since: Date; status: string }[]>`
      UPDATE webhook_endpoints
      SET consecutive_failures = consecutive_failures + 1, failing_since = coalesce(failing_since, ${now})
      WHERE id = ${claimed.endpointId}
      RETURNING consecutive_failures, failing_since, status`;
    const streakOf = { consecutiveFailures: streak!.consecutive_failures, failingSince: streak!.failing_since };
    if (streak!.status === "enabled" && shouldDisable(streakOf, now, opts.disablePolicy ?? defaultDisablePolicy)) {
      const last = result.statusCode ? `HTTP ${result.statusCode}` : error;
      const reason =
        `every attempt failed since ${streakOf.failingSince.toISOString()} ` +
        `(${streakOf.consecutiveFailures} in a row; the last: ${last})`;
      await applyEndpointStatus(
        tx,
        claimed.tenantId,
        claimed.endpointId,
        { status: "disabled", reason },
        systemActor,
        now,
      );
    }
    return status === "pending" ? "retrying" : "failed";
  });
}

/**
 * Successes in one statement, however many (the common case, so no transaction per delivery): each delivery is
 * done unless another attempt was recorded since it was claimed, and the endpoints' failure streaks end. One the
 * endpoint's switching off failed while its request was out is done too: the receiver has it, and the failed
 * list must not offer it for a replay that would send it twice (no attempt was recorded since: same `attempts`). An
 * endpoint is written only when that changes something (a streak to end, or a minute since its last success
 * noted): a working endpoint is not one hot row under every delivery. Returns the ids recorded (others: stale).
 */
export async function recordDelivered(
  db: Db,
  successes: { claimed: ClaimedDelivery; statusCode: number }[],
  now: Date,
): Promise<Set<string>> {
  if (!successes.length) return new Set();
  const ids = successes.map((s) => s.claimed.id);
  const attempts = successes.map((s) => s.claimed.attempts);
  const codes = successes.map((s) => s.statusCode);
  // In a retried transaction: a fan-out or replay holding the endpoint's row in share while it writes deliveries
  // can deadlock with this statement's update of that row (Postgres ends one of the two; this one is tried again).
  const rows = await withTransaction(
    db,
    (tx) => tx.$queryRaw<{ id: string }[]>`
    WITH input AS (
      SELECT * FROM unnest(${ids}::text[], ${attempts}::int[], ${codes}::int[]) AS i(id, attempts, code)
    ), delivered AS (
      UPDATE webhook_deliveries d
      SET status = 'delivered', attempts = i.attempts + 1, last_attempt_at = ${now}, last_status_code = i.code,
          last_error = NULL, next_attempt_at = ${now}, delivered_at = ${now}
      FROM input i
      WHERE d.id = i.id AND d.attempts = i.attempts
        AND (d.status = 'pending' OR (d.status = 'failed' AND starts_with(d.last_error, ${disabledErrorPrefix})))
      RETURNING d.id, d.endpoint_id, d.event_type
    ), endpoints AS (
      UPDATE webhook_endpoints e SET consecutive_failures = 0, failing_since = NULL, last_success_at = ${now}
      WHERE e.id IN (SELECT endpoint_id FROM delivered WHERE event_type <> ${pingEventType})
        AND (e.consecutive_failures > 0 OR e.last_success_at IS NULL
             OR e.last_success_at < ${new Date(now.getTime() - 60_000)})
      RETURNING e.id
    )
    SELECT id FROM delivered`,
  );
  return new Set(rows.map((r) => r.id));
}
