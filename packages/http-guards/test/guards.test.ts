import { describe, expect, it } from "vitest";
import { z } from "zod";
import { jsonNestedDeeperThan, KeyRateLimiter, RateLimitSetting } from "../src/index.ts";

describe("KeyRateLimiter", () => {
  const clock = () => {
    let t = 1_000_000;
    return { now: () => t, advance: (ms: number) => (t += ms) };
  };

  it("allows a burst, then refuses with the seconds until a token is back, then refills", () => {
    const c = clock();
    const limiter = new KeyRateLimiter(
      { pos: { perSecond: 2, burst: 4 }, admin: { perSecond: 1, burst: 1 } },
      { now: c.now },
    );
    for (let i = 0; i < 4; i++) expect(limiter.take("key_a", "pos")).toEqual({ ok: true });
    expect(limiter.take("key_a", "pos")).toEqual({ ok: false, retryAfterSeconds: 1 });
    expect(limiter.take("key_b", "pos")).toEqual({ ok: true }); // another key has its own bucket
    c.advance(500);
    expect(limiter.take("key_a", "pos")).toEqual({ ok: true });
    expect(limiter.take("key_c", "admin")).toEqual({ ok: true });
    expect(limiter.take("key_c", "admin")).toEqual({ ok: false, retryAfterSeconds: 1 });
  });

  it("charges a batch one token per call", () => {
    const limiter = new KeyRateLimiter({ kiosk: { perSecond: 1, burst: 10 } }, { now: clock().now });
    expect(limiter.take("k", "kiosk", 8)).toEqual({ ok: true });
    expect(limiter.take("k", "kiosk", 5)).toEqual({ ok: false, retryAfterSeconds: 3 });
    expect(limiter.take("big", "kiosk", 50)).toEqual({ ok: true }); // charged as the whole burst
    expect(limiter.take("big", "kiosk", 1)).toEqual({ ok: false, retryAfterSeconds: 1 });
  });

  it("does not limit a role configured off", () => {
    const limiter = new KeyRateLimiter({ analyst: null });
    for (let i = 0; i < 1_000; i++) expect(limiter.take("k", "analyst").ok).toBe(true);
    expect(limiter.size).toBe(0);
  });

  it("keeps at most maxKeys buckets, and drops buckets idle long enough to have refilled", () => {
    const c = clock();
    const limiter = new KeyRateLimiter({ pos: { perSecond: 10, burst: 20 } }, { now: c.now, maxKeys: 100 });
    for (let i = 0; i < 1_000; i++) limiter.take(`key_${i}`, "pos");
    expect(limiter.size).toBe(100);
    c.advance(2_001); // 20 tokens at 10/s: every bucket is full again
    for (let i = 0; i < 1_000; i++) limiter.take("active", "pos"); // purges stale buckets as it goes
    expect(limiter.size).toBe(1);
  });
});

describe("RateLimitSetting", () => {
  const schema = z.object({ LIMIT: RateLimitSetting("50/100") });
  it("parses <per second>/<burst>, off, and the default", () => {
    expect(schema.parse({}).LIMIT).toEqual({ perSecond: 50, burst: 100 });
    expect(schema.parse({ LIMIT: "2.5/10" }).LIMIT).toEqual({ perSecond: 2.5, burst: 10 });
    expect(schema.parse({ LIMIT: "off" }).LIMIT).toBeNull();
  });
  it.each(["50", "fast", "0/10", "5/0", "-1/3"])("refuses %s naming the format", (value) => {
    const result = schema.safeParse({ LIMIT: value });
    expect(result.success).toBe(false);
    expect(result.error!.issues[0]!.message).toMatch(/requests per second/);
  });
});

describe("jsonNestedDeeperThan", () => {
  const nested = (n: number) => `${"[".repeat(n)}1${"]".repeat(n)}`;
  it("counts object and array nesting, ignoring brackets inside strings", () => {
    expect(jsonNestedDeeperThan(nested(32), 32)).toBe(false);
    expect(jsonNestedDeeperThan(nested(33), 32)).toBe(true);
    expect(jsonNestedDeeperThan(`{"a":{"b":[{"c":"[[[[[[[[\\"{{{{"}]}}`, 4)).toBe(false);
    expect(jsonNestedDeeperThan(`{"a":{"b":[{"c":{}}]}}`, 4)).toBe(true);
    expect(jsonNestedDeeperThan(nested(100_000), 32)).toBe(true);
  });
});
