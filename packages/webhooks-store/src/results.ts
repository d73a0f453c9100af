import { type Db, withTransaction } from "@regulars/db";
import {
  type DisablePolicy,
  defaultDisablePolicy,
  defaultRetrySchedule,
  nextAttemptAt,
  type RetrySchedule,
  shouldDisable,
} from "@regulars/webhooks";
import type { ClaimedDelivery } from "./claim.ts";
import { applyEndpointStatus } from "./endpoints.ts";

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
 * Records an attempt: delivered; or failed and due again by the retry schedule; or failed for good once the
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
        claimed.attempts + 1,
        claimed.windowStartedAt,
        now,
        (opts.random ?? Math.random)(),
        opts.schedule ?? defaultRetrySchedule,
      );
  const status = result.ok ? "delivered" : next ? "pending" : "failed";
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
    if (claimed.eventType === "webhook.ping") return status === "pending" ? "retrying" : status;
    if (result.ok) {
      // Written only when it changes something: a working endpoint is not one hot row under every delivery.
      await tx.$executeRaw`
        UPDATE webhook_endpoints SET consecutive_failures = 0, failing_since = NULL, last_success_at = ${now}
        WHERE id = ${claimed.endpointId}
          AND (consecutive_failures > 0 OR last_success_at IS NULL OR last_success_at < ${new Date(now.getTime() - 60_000)})`;
      return "delivered";
    }
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
