import { describe, expect, it } from "vitest";
import {
  afterFailure,
  DeliveryEvent,
  type DeliveryStatus,
  defaultRetryPolicy,
  laterStatus,
  RetryPolicy,
  sendFailure,
} from "../src/index.ts";

const now = new Date(Date.now());
const later = (ms: number) => new Date(now.getTime() + ms);
const policy = RetryPolicy.parse({
  maxAttempts: 4,
  initialDelayMs: 1_000,
  multiplier: 2,
  maxDelayMs: 3_000,
  jitter: 0.5,
});
const timeout = sendFailure("timeout", "no answer in 10 s");

describe("retry policy", () => {
  it("backs off exponentially up to the cap, then fails visibly once the attempts are spent", () => {
    expect(afterFailure(policy, 1, timeout, now)).toEqual({
      action: "retry",
      at: later(1_000),
      delayMs: 1_000,
      nextAttempt: 2,
    });
    expect(afterFailure(policy, 2, timeout, now)).toMatchObject({ delayMs: 2_000, nextAttempt: 3 });
    expect(afterFailure(policy, 3, timeout, now)).toMatchObject({ delayMs: 3_000, nextAttempt: 4 });
    expect(afterFailure(policy, 4, timeout, now)).toEqual({
      action: "fail",
      reason: "attempts_exhausted",
      failure: timeout,
      attempts: 4,
    });
  });

  it("never retries a failure that would fail again", () => {
    const rejected = sendFailure("rejected", "400: invalid number", { status: 400 });
    expect(rejected.retryable).toBe(false);
    expect(afterFailure(policy, 1, rejected, now)).toEqual({
      action: "fail",
      reason: "not_retryable",
      failure: rejected,
      attempts: 1,
    });
  });

  it("spreads delays by the jitter draw and honours a longer Retry-After", () => {
    expect(afterFailure(policy, 2, timeout, now, 0)).toMatchObject({ delayMs: 1_000 });
    expect(afterFailure(policy, 2, timeout, now, 1)).toMatchObject({ delayMs: 3_000 });
    const limited = sendFailure("rate_limited", "429", { status: 429, retryAfterMs: 2_500 });
    expect(afterFailure(policy, 1, limited, now)).toMatchObject({ delayMs: 2_500, at: later(2_500) });
  });

  it("waits no longer than the policy's longest delay, whatever the Retry-After asks", () => {
    // A month's Retry-After would deliver "your points expire in 14 days" after they expired.
    const month = 30 * 86_400_000;
    const limited = sendFailure("rate_limited", "429", { status: 429, retryAfterMs: month });
    expect(afterFailure(policy, 1, limited, now)).toMatchObject({ delayMs: 3_000, at: later(3_000) });
    expect(afterFailure(defaultRetryPolicy, 1, limited, now)).toMatchObject({
      delayMs: defaultRetryPolicy.maxDelayMs,
      at: later(defaultRetryPolicy.maxDelayMs),
    });
  });

  it("by default tries six times over about three hours", () => {
    let total = 0;
    let attempt = 1;
    for (;;) {
      const decision = afterFailure(defaultRetryPolicy, attempt, timeout, now);
      if (decision.action === "fail") break;
      total += decision.delayMs;
      attempt = decision.nextAttempt;
    }
    expect(attempt).toBe(6);
    expect(total / 3_600_000).toBeCloseTo(2.84, 1);
  });
});

describe("delivery statuses", () => {
  it("never move back, and an open or click outranks a late failure", () => {
    const order = (...s: DeliveryStatus[]) => s.reduce(laterStatus);
    expect(order("queued", "sent", "delivered", "opened", "clicked")).toBe("clicked");
    expect(order("queued", "clicked", "delivered")).toBe("clicked");
    expect(order("sent", "failed")).toBe("failed");
    expect(order("sent", "failed", "queued")).toBe("failed");
    expect(order("opened", "failed")).toBe("opened");
  });

  it("are events with the details each one needs", () => {
    const at = now.toISOString();
    const base = { messageId: "msg_1", tenantId: "ten_1", channel: "sms" as const, at };
    expect(DeliveryEvent.parse({ ...base, status: "clicked", url: "https://a.example" })).toMatchObject({
      status: "clicked",
    });
    const failed = {
      ...base,
      status: "failed",
      provider: "http-sms",
      attempts: 6,
      reason: "attempts_exhausted",
      failure: timeout,
    };
    expect(DeliveryEvent.parse(failed)).toEqual(failed);
    expect(DeliveryEvent.safeParse({ ...base, status: "failed", provider: "x" }).success).toBe(false);
    expect(DeliveryEvent.safeParse({ ...base, status: "bounced" }).success).toBe(false);
  });
});
