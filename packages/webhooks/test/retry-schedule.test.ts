import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { backoffMs, defaultRetrySchedule, nextAttemptAt } from "../src/index.ts";

const hour = 3_600_000;
const start = new Date(Date.now() - 1_000);

/** Every attempt time of a delivery that always fails, with the jitter drawn by `draws`. */
function attemptTimes(draws: number[]): Date[] {
  const times = [start];
  for (let failed = 1; ; failed++) {
    const next = nextAttemptAt(failed, start, times[times.length - 1]!, draws[(failed - 1) % draws.length]!);
    if (!next) return times;
    times.push(next);
  }
}

describe("retry schedule", () => {
  it("waits 5 s, then three times longer each time, up to 6 h", () => {
    expect([1, 2, 3, 4, 5, 8, 9, 12].map((n) => backoffMs(n))).toEqual([
      5_000,
      15_000,
      45_000,
      135_000,
      405_000,
      10_935_000,
      6 * hour,
      6 * hour,
    ]);
  });

  it("without jitter: tries 13 times and the last try is 24 h after the first", () => {
    const times = attemptTimes([0]);
    expect(times).toHaveLength(13);
    expect(times[times.length - 1]!.getTime() - start.getTime()).toBe(24 * hour);
  });

  it("never schedules past the 24 h window, always later than now, and stops once the window is over", () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 0.999_999, noNaN: true }), { minLength: 1, maxLength: 20 }),
        (draws) => {
          const times = attemptTimes(draws);
          for (let i = 1; i < times.length; i++) {
            expect(times[i]!.getTime()).toBeGreaterThan(times[i - 1]!.getTime());
            expect(times[i]!.getTime()).toBeLessThanOrEqual(start.getTime() + defaultRetrySchedule.windowMs);
          }
          expect(times[times.length - 1]!.getTime()).toBe(start.getTime() + defaultRetrySchedule.windowMs);
          expect(nextAttemptAt(99, start, times[times.length - 1]!, draws[0])).toBeNull();
        },
      ),
    );
  });

  it("jitter only shortens a wait, by at most a fifth", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8 }), fc.double({ min: 0, max: 0.999_999, noNaN: true }), (n, r) => {
        const now = new Date(start.getTime() + 1_000);
        const wait = nextAttemptAt(n, start, now, r)!.getTime() - now.getTime();
        expect(wait).toBeLessThanOrEqual(backoffMs(n));
        expect(wait).toBeGreaterThanOrEqual(Math.floor(backoffMs(n) * 0.8));
      }),
    );
  });
});
