import { CampaignStatus } from "@regulars/contracts";
import { describe, expect, it } from "vitest";
import { canEdit, canMove, queuedStepFate } from "../src/index.ts";

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
});
