import { describe, expect, it } from "vitest";
import {
  type Definition,
  defaultTrigger,
  definitionToSave,
  emptyDefinition,
} from "../src/pages/campaigns/definition.ts";
import { afterTriggerChange, savedDraft, suggestedDraft, withLimits } from "../src/pages/campaigns/limits.ts";

const weeklyCap = { channel: "push" as const, max: 2, windowHours: 168 };

describe("the limits the campaign builder shows and saves", () => {
  it("starts a new campaign from what its trigger suggests, with no quiet hours", () => {
    expect(suggestedDraft("birthday")).toEqual({
      perCustomer: { mode: "repeatable", minGapHours: 0 },
      frequencyCaps: [],
      quietHours: null,
      edited: false,
    });
    expect(suggestedDraft("registered").perCustomer).toEqual({ mode: "once" });
  });

  it("suggests again when the trigger changes, keeping the quiet hours set", () => {
    const quiet = { ...suggestedDraft("registered"), quietHours: { start: "22:00", end: "07:00" } };
    expect(afterTriggerChange(quiet, "birthday")).toEqual({
      ...suggestedDraft("birthday"),
      quietHours: { start: "22:00", end: "07:00" },
    });
  });

  it("keeps a per-customer rule or cap someone chose when the trigger changes", () => {
    const chosen = { ...suggestedDraft("registered"), frequencyCaps: [weeklyCap], edited: true };
    expect(afterTriggerChange(chosen, "birthday")).toBe(chosen);
  });

  it("shows an edited campaign's saved limits and quiet hours, as chosen", () => {
    const saved: Definition = {
      ...emptyDefinition(),
      trigger: defaultTrigger("birthday"),
      limits: { perCustomer: { mode: "repeatable", minGapHours: 720 }, frequencyCaps: [weeklyCap] },
      delivery: { timing: { at: "immediately" }, zone: "location", quietHours: { start: "21:00", end: "08:00" } },
    };
    expect(savedDraft(saved)).toEqual({
      perCustomer: { mode: "repeatable", minGapHours: 720 },
      frequencyCaps: [weeklyCap],
      quietHours: { start: "21:00", end: "08:00" },
      edited: true,
    });
  });

  it("saves a new campaign with the limits and quiet hours set in the builder, the rest of its delivery kept", () => {
    const draft: Definition = {
      ...emptyDefinition(),
      trigger: defaultTrigger("birthday"),
      delivery: { timing: { at: "local_time", time: "18:00" } },
    };
    const limits = {
      perCustomer: { mode: "once" as const },
      frequencyCaps: [weeklyCap],
      quietHours: { start: "21:00", end: "08:00" },
      edited: true,
    };
    const sent = definitionToSave(withLimits(draft, limits), true);
    expect(sent.limits).toEqual({ perCustomer: { mode: "once" }, frequencyCaps: [weeklyCap] });
    expect(sent.delivery).toEqual({ timing: { at: "local_time", time: "18:00" }, quietHours: limits.quietHours });
  });
});
