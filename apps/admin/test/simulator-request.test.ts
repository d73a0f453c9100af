import { describe, expect, it } from "vitest";
import { messages } from "../src/pages/programme/messages.ts";
import { type SimulatorDraft, simulateRequest } from "../src/pages/programme/simulator-request.ts";

const cola = { sku: "COLA-M", name: "Cola medium", category: "beverages", tags: ["cold"], unitPrice: 250, quantity: 2 };
const draft: SimulatorDraft = { lines: [cola], channel: "pos", locationId: "store-1", tier: "", segments: [] };

describe("the simulator's request", () => {
  it("says which segments the simulated customer is a member of, so rules for them are quoted", () => {
    const request = simulateRequest({ ...draft, tier: "gold", segments: ["seg_regulars", "seg_students"] });
    expect(request.customer).toEqual({ tier: "gold", earnedToday: 0, segments: ["seg_regulars", "seg_students"] });
  });

  it("sends a customer in no segment and no tier when nothing is picked", () => {
    expect(simulateRequest(draft).customer).toEqual({ tier: null, earnedToday: 0, segments: [] });
  });

  it("sends the basket's lines as paid in full", () => {
    expect(simulateRequest(draft).basket).toEqual({
      channel: "pos",
      locationId: "store-1",
      lines: [{ ...cola, discount: 0 }],
    });
  });

  it("names the segments field in English and Polish", () => {
    expect(messages.en.simulator.segments).toBe("Customer's segments");
    expect(messages.pl.simulator.segments).toBe("Segmenty klienta");
  });
});
