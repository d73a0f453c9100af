import { describe, expect, it } from "vitest";
import { evaluateAction } from "../src/index.ts";
import { member, programme, WARSAW } from "./fixtures.ts";

const p = programme({
  rules: [
    {
      id: "feedback-first",
      type: "action",
      event: "feedback_submitted",
      points: 50,
      limit: "once",
      priority: 10,
      stopProcessing: true,
    },
    { id: "feedback", type: "action", event: "feedback_submitted", points: 5, limit: "per_event" },
    { id: "profile-completed", type: "action", event: "profile_completed", points: 100, limit: "once" },
    { id: "app-open", type: "action", event: "app_opened", points: 1, limit: "per_day", channels: ["app"] },
    { id: "base", type: "base_rate", pointsPerUnit: 1, unitMinor: 100 },
  ],
});
const at = "2025-03-05T12:00:00+01:00";
const history = (once: string[] = [], today: string[] = []) => ({
  earnedOnceBy: new Set(once),
  earnedTodayBy: new Set(today),
});
const act = (type: string, h = history(), more: { channel?: string | null; locationId?: string | null } = {}) =>
  evaluateAction(p, { type, occurredAt: at, ...more }, member(), h, WARSAW);

describe("action points", () => {
  it("once: only the first such event of a customer earns", () => {
    expect(act("profile_completed")).toEqual([{ ruleId: "profile-completed", points: 100, limit: "once" }]);
    expect(act("profile_completed", history(["profile-completed"]))).toEqual([]);
  });

  it("per_day: once per local day", () => {
    expect(act("app_opened", history(), { channel: "app" })).toEqual([
      { ruleId: "app-open", points: 1, limit: "per_day" },
    ]);
    expect(act("app_opened", history([], ["app-open"]), { channel: "app" })).toEqual([]);
  });

  it("per_event: every event; a paying stopProcessing rule of higher priority takes its place", () => {
    expect(act("feedback_submitted")).toEqual([{ ruleId: "feedback-first", points: 50, limit: "once" }]);
    expect(act("feedback_submitted", history(["feedback-first"]))).toEqual([
      { ruleId: "feedback", points: 5, limit: "per_event" },
    ]);
    expect(act("feedback_submitted", history(["feedback-first", "feedback"], ["feedback"]))).toEqual([
      { ruleId: "feedback", points: 5, limit: "per_event" },
    ]);
  });

  it("filters apply; an event without a channel does not meet a channel filter; purchase rules never pay actions", () => {
    expect(act("app_opened", history(), { channel: "kiosk" })).toEqual([]);
    expect(act("app_opened", history(), { channel: null })).toEqual([]);
    expect(act("order_placed")).toEqual([]);
  });
});
