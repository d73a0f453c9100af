import { z } from "zod";
import type { SendFailure } from "./provider.ts";

export const RetryPolicy = z.object({
  /** Attempts in all, the first included; after the last failure the message is `failed`. */
  maxAttempts: z.number().int().min(1).max(50).default(6),
  initialDelayMs: z.number().int().min(0).default(30_000),
  multiplier: z.number().min(1).max(10).default(4),
  maxDelayMs: z
    .number()
    .int()
    .min(0)
    .default(6 * 3_600_000),
  /** Spread of each delay, ±share (0.2: 80%–120%), so messages that failed together do not retry together. */
  jitter: z.number().min(0).max(1).default(0.2),
});
export type RetryPolicy = z.infer<typeof RetryPolicy>;
/** 30 s, 2 min, 8 min, 32 min, ~2 h: six attempts over about three hours. */
export const defaultRetryPolicy: RetryPolicy = RetryPolicy.parse({});

export type RetryDecision =
  | { action: "retry"; at: Date; delayMs: number; nextAttempt: number }
  | { action: "fail"; reason: "not_retryable" | "attempts_exhausted"; failure: SendFailure; attempts: number };

/**
 * What to do after attempt number `attempt` (1 for the first) failed with `failure`: try again at a time,
 * or stop in the `failed` state. Pure: the instant and the jitter draw (0 to 1; 0.5 is no spread) come in.
 * A provider's Retry-After is honoured when it asks for longer than the backoff, up to the policy's longest delay:
 * a rate limit asking for a month would deliver a "your points expire in 14 days" message after they expired.
 */
export function afterFailure(
  policy: RetryPolicy,
  attempt: number,
  failure: SendFailure,
  now: Date,
  random = 0.5,
): RetryDecision {
  if (!failure.retryable) return { action: "fail", reason: "not_retryable", failure, attempts: attempt };
  if (attempt >= policy.maxAttempts)
    return { action: "fail", reason: "attempts_exhausted", failure, attempts: attempt };
  const backoff = Math.min(policy.maxDelayMs, policy.initialDelayMs * policy.multiplier ** (attempt - 1));
  const spread = backoff * policy.jitter * (2 * Math.min(Math.max(random, 0), 1) - 1);
  // Only the Retry-After is held to the longest delay: the backoff's spread above it keeps retries apart.
  const retryAfterMs = Math.min(policy.maxDelayMs, failure.retryAfterMs ?? 0);
  const delayMs = Math.round(Math.max(backoff + spread, retryAfterMs));
  return { action: "retry", at: new Date(now.getTime() + delayMs), delayMs, nextAttempt: attempt + 1 };
}
