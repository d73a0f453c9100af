import { describe, expect, it } from "vitest";
import { E164Phone, ledgerPartitionKey, phoneSpellings } from "../src/index.ts";

describe("phoneSpellings: the spellings of one person's number", () => {
  it("folds a 0 a till kept after the code of a country with no trunk prefix into the valid number", () => {
    expect(phoneSpellings("+480604100077")).toEqual({
      preferred: "+48604100077",
      all: ["+48604100077", "+480604100077"],
    });
    expect(phoneSpellings("+4200601123456")).toEqual({
      preferred: "+420601123456",
      all: ["+420601123456", "+4200601123456"],
    });
  });

  it("gives a valid number the 0-spelling tills may have stored, the other way round", () => {
    expect(phoneSpellings("+48604100077")).toEqual({
      preferred: "+48604100077",
      all: ["+48604100077", "+480604100077"],
    });
    expect(phoneSpellings("+420601123456").all).toEqual(["+420601123456", "+4200601123456"]);
  });

  it("gives no 0-spelling where the country's numbers are never stored so (readPhone drops a trunk 0)", () => {
    expect(E164Phone.parse("+4407911123456")).toBe("+447911123456");
    expect(phoneSpellings("+447911123456")).toEqual({ preferred: "+447911123456", all: ["+447911123456"] });
    expect(phoneSpellings("+4915112345678").all).toEqual(["+4915112345678"]);
    expect(phoneSpellings("+33612345678").all).toEqual(["+33612345678"]);
    expect(phoneSpellings("+12025550123").all).toEqual(["+12025550123"]);
  });

  it("does not fold a 0 that belongs to a valid number, nor one whose dropping gives no valid number", () => {
    // Italy's landlines start with 0, and +39612345678 is no valid number: that 0 stays. A second 0 a till kept
    // (Italy has no trunk prefix either) is a 0-spelling like Poland's.
    expect(phoneSpellings("+390612345678").all).toEqual(["+390612345678", "+3900612345678"]);
    expect(phoneSpellings("+3900612345678").preferred).toBe("+390612345678");
    expect(phoneSpellings("+39612345678").all).toEqual(["+39612345678"]);
    // Outside Poland's plan with or without the 0.
    expect(phoneSpellings("+480100000000")).toEqual({ preferred: "+480100000000", all: ["+480100000000"] });
    expect(phoneSpellings("+48100000000").all).toEqual(["+48100000000"]);
  });

  it("folds a single 0 only, and leaves alone what is no stored number", () => {
    expect(phoneSpellings("+4800604100077").all).toEqual(["+4800604100077"]);
    expect(phoneSpellings("not a phone").all).toEqual(["not a phone"]);
  });

  it("keys both spellings' sales to one ledger partition, and leaves the body as posted", () => {
    const sale = (phone: string) => ({ type: "sale" as const, externalId: "S-1", customer: { phone } });
    // The message keeps the number as the till read it (the retry's fingerprint is over the body as posted).
    expect(E164Phone.parse("+480604100077")).toBe("+480604100077");
    expect(ledgerPartitionKey(sale("+480604100077"))).toBe("phone:+48604100077");
    expect(ledgerPartitionKey(sale("+48604100077"))).toBe("phone:+48604100077");
    expect(ledgerPartitionKey(sale("+447911123456"))).toBe("phone:+447911123456");
  });
});
