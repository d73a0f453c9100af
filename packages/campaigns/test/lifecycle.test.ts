import { CampaignStatus } from "@regulars/contracts";
import { describe, expect, it } from "vitest";
import { canEdit, canMove, messageDueAtPlanning, queuedStepFate } from "../src/index.ts";

describe("campaign lifecycle", () => {
  it("moves an admin may make", () => {
    expect(canMove("draft", "active")).toBe(true);
    expect(canMove("draft", "scheduled")).toBe(true);
    expect(canMove("scheduled", "active")).toBe(true);
    expect(canMove("active", "paused")).toBe(true);
    expect(canMove("paused", "active")).toBe(true);
    expect(canMove("active", "archived")).toBe(true);
  });

  it("archived is final, and a running campaign does not go back to draft", () => {
    for (const to of CampaignStatus.options) expect(canMove("archived", to)).toBe(false);
    expect(canMove("active", "draft")).toBe(false);
    expect(canMove("paused", "draft")).toBe(false);
    expect(canEdit("archived")).toBe(false);
    expect(canEdit("active")).toBe(true);
  });

  it("steps already planned run while active, wait while paused, are cancelled once archived", () => {
    expect(queuedStepFate("active")).toBe("run");
    expect(queuedStepFate("paused")).toBe("hold");
    expect(queuedStepFate("scheduled")).toBe("hold");
    expect(queuedStepFate("archived")).toBe("cancel");
    expect(queuedStepFate("draft")).toBe("cancel");
  });

  describe("the message queued while planning", () => {
    const now = new Date();
    const at = (ms: number) => new Date(now.getTime() + ms);
    const message = { type: "send_message", channel: "email", templateId: "tpl_1" } as const;
    const coupon = { type: "issue_coupon", couponCampaignId: "cpc_1" } as const;
    const step = (index: number, action: typeof message | typeof coupon, runAt: Date, status: "run" | "skipped") => ({
      index,
      action,
      runAt,
      status,
    });

    it("is the first step that runs, when it is a message due by now", () => {
      const due = step(0, message, at(-1), "run");
      expect(messageDueAtPlanning([due], now)).toBe(due);
      const afterSkippedCoupon = step(1, message, now, "run");
      expect(messageDueAtPlanning([afterSkippedCoupon, step(0, coupon, now, "skipped")], now)).toBe(afterSkippedCoupon);
    });

    it("is none when the message waits: for a coupon to be issued, for its local time, or when nothing runs", () => {
      expect(messageDueAtPlanning([step(0, coupon, now, "run"), step(1, message, now, "run")], now)).toBeNull();
      expect(messageDueAtPlanning([step(0, message, at(60_000), "run")], now)).toBeNull();
      expect(messageDueAtPlanning([step(0, message, now, "skipped")], now)).toBeNull();
      expect(messageDueAtPlanning([], now)).toBeNull();
    });
  });
});
