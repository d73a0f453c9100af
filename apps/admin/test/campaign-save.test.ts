import { describe, expect, it } from "vitest";
import {
  type Definition,
  defaultTrigger,
  definitionToSave,
  emptyDefinition,
} from "../src/pages/campaigns/definition.ts";

const weekly = { repeat: "weekly" as const, time: "18:00", weekdays: [5] };

describe("the definition a campaign save sends", () => {
  it("gives a new weekly broadcast limits that reach each member every week", () => {
    const draft: Definition = { ...emptyDefinition(), trigger: { type: "broadcast", schedule: weekly } };
    expect(definitionToSave(draft, true).limits).toEqual({
      perCustomer: { mode: "repeatable", minGapHours: 0 },
      frequencyCaps: [],
    });
  });

  it("follows the trigger chosen before saving: a new birthday campaign greets every year, a welcome once", () => {
    const birthday = { ...emptyDefinition(), trigger: defaultTrigger("birthday") };
    expect(definitionToSave(birthday, true).limits?.perCustomer).toEqual({ mode: "repeatable", minGapHours: 0 });
    const welcome = { ...emptyDefinition(), trigger: defaultTrigger("registered") };
    expect(definitionToSave(welcome, true).limits?.perCustomer).toEqual({ mode: "once" });
  });

  it("keeps an edited campaign's own limits", () => {
    const limits = { perCustomer: { mode: "once" as const }, frequencyCaps: [{ max: 2, windowHours: 168 }] };
    const saved: Definition = { ...emptyDefinition(), trigger: { type: "broadcast", schedule: weekly }, limits };
    expect(definitionToSave(saved, false).limits).toEqual(limits);
  });
});
