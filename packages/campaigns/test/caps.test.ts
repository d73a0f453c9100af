import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { capAllows, capRefusing, type PreviousSend } from "../src/index.ts";
import { after, hours, NOW } from "./fixtures.ts";

const push = (h: number): PreviousSend => ({ channel: "push", at: after(hours(h)) });
const sms = (h: number): PreviousSend => ({ channel: "sms", at: after(hours(h)) });
const twoPushesADay = { channel: "push", max: 2, windowHours: 24 } as const;

describe("capAllows: rolling windows", () => {
  it("allows up to max sends in the window, then refuses", () => {
    expect(capAllows(twoPushesADay, [], NOW, "push")).toBe(true);
    expect(capAllows(twoPushesADay, [push(-5)], NOW, "push")).toBe(true);
    expect(capAllows(twoPushesADay, [push(-5), push(-1)], NOW, "push")).toBe(false);
  });

  it("rolls: a send exactly one window ago no longer counts", () => {
    expect(capAllows(twoPushesADay, [push(-24), push(-1)], NOW, "push")).toBe(true);
    expect(capAllows(twoPushesADay, [push(-23.99), push(-1)], NOW, "push")).toBe(false);
  });

  it("counts only the cap's channel; a cap without a channel counts every channel", () => {
    expect(capAllows(twoPushesADay, [sms(-5), sms(-1)], NOW, "push")).toBe(true);
    expect(capAllows(twoPushesADay, [push(-5), push(-1)], NOW, "sms")).toBe(true);
    const anyChannel = { max: 2, windowHours: 24 };
    expect(capAllows(anyChannel, [sms(-5), push(-1)], NOW, "email")).toBe(false);
    // Without the message's channel, the cap judges its own channel's sends.
    expect(capAllows(twoPushesADay, [push(-5), push(-1)], NOW)).toBe(false);
  });

  it("queued sends count: a message now must not overfill the window of one queued for tonight", () => {
    // −10 h, now and +8 h fit in one 24-hour window.
    expect(capAllows(twoPushesADay, [push(-10), push(8)], NOW, "push")).toBe(false);
    expect(capAllows(twoPushesADay, [push(8), push(9)], NOW, "push")).toBe(false);
    // −20 h and +8 h are 28 h apart: each window holding now holds only one of them.
    expect(capAllows(twoPushesADay, [push(-20), push(8)], NOW, "push")).toBe(true);
    expect(capAllows({ ...twoPushesADay, max: 1 }, [push(-20)], NOW, "push")).toBe(false);
    expect(capAllows({ ...twoPushesADay, max: 1 }, [push(23.99)], NOW, "push")).toBe(false);
    expect(capAllows({ ...twoPushesADay, max: 1 }, [push(24)], NOW, "push")).toBe(true);
  });

  it("capRefusing names the first cap that refuses", () => {
    const weekly = { max: 3, windowHours: 24 * 7 };
    expect(capRefusing([twoPushesADay, weekly], [sms(-30), sms(-50), sms(-70)], NOW, "push")).toBe(weekly);
    expect(capRefusing([twoPushesADay, weekly], [], NOW, "push")).toBe(null);
  });

  it("property: sends accepted one by one never put more than max in any window", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 48 }),
        fc.array(fc.integer({ min: 0, max: 24 * 14 * 60 }), { maxLength: 60 }),
        (max, windowHours, minutes) => {
          const cap = { max, windowHours };
          const accepted: PreviousSend[] = [];
          for (const m of minutes) {
            const at = after(m * 60_000);
            if (capAllows(cap, accepted, at, "push")) accepted.push({ channel: "push", at });
          }
          const times = accepted.map((s) => s.at.getTime());
          for (const start of times) {
            const inWindow = times.filter((t) => t >= start && t < start + hours(windowHours)).length;
            expect(inWindow).toBeLessThanOrEqual(max);
          }
        },
      ),
    );
  });
});
