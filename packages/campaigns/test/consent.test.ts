import { describe, expect, it } from "vitest";
import { consentAllows, consentAllowsGranted, consentInForce } from "../src/index.ts";
import { after, days, hours } from "./fixtures.ts";

const choice = (channel: "push" | "sms" | "email", granted: boolean, at: Date, purpose = "marketing" as const) => ({
  channel,
  purpose,
  granted,
  occurredAt: at,
});

describe("consentAllows", () => {
  it("needs a marketing grant on the message's channel", () => {
    expect(consentAllows("push", [choice("push", true, after(-days(1)))])).toBe(true);
    expect(consentAllows("sms", [choice("push", true, after(-days(1)))])).toBe(false);
    expect(consentAllows("push", [])).toBe(false);
  });

  it("profiling consent never stands in for marketing", () => {
    expect(consentAllows("push", [{ ...choice("push", true, after(-days(1))), purpose: "profiling" }])).toBe(false);
  });

  it("the latest choice wins, by when the customer made it, whatever order the history comes in", () => {
    const granted = choice("push", true, after(-days(10)));
    const withdrawn = choice("push", false, after(-days(2)));
    expect(consentAllows("push", [granted, withdrawn])).toBe(false);
    expect(consentAllows("push", [withdrawn, granted])).toBe(false);
    const regranted = choice("push", true, after(-hours(1)));
    expect(consentAllows("push", [withdrawn, regranted, granted])).toBe(true);
  });

  it("choices made at the same instant: the one recorded last wins", () => {
    const at = after(-days(1));
    const a = { ...choice("email", true, at), recordedAt: after(-hours(2)) };
    const b = { ...choice("email", false, at), recordedAt: after(-hours(1)) };
    expect(consentInForce([b, a], "email", "marketing")).toBe(b);
    expect(consentAllows("email", [a, b])).toBe(false);
  });

  it("reads ISO strings as the store returns them", () => {
    expect(consentAllows("sms", [{ ...choice("sms", true, after(0)), occurredAt: after(0).toISOString() }])).toBe(true);
  });

  it("from a snapshot's granted consents", () => {
    expect(consentAllowsGranted("push", ["email:marketing", "push:marketing"])).toBe(true);
    expect(consentAllowsGranted("sms", ["push:marketing", "sms:profiling"])).toBe(false);
  });
});
