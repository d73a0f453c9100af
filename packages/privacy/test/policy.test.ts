import { describe, expect, it } from "vitest";
import { defaultRetention, monthsBefore, retentionCutoffs, unclassifiedTables } from "../src/index.ts";

describe("unclassifiedTables", () => {
  it("names each table found that the map lacks, once, sorted", () => {
    expect(unclassifiedTables(["b", "a", "c", "b"], ["a"])).toEqual(["b", "c"]);
    expect(unclassifiedTables([], ["a"])).toEqual([]);
  });
});

describe("monthsBefore", () => {
  it("steps back calendar months and clamps to the shorter month's last day", () => {
    expect(monthsBefore(new Date("2021-03-31T10:00:00Z"), 1).toISOString()).toBe("2021-02-28T10:00:00.000Z");
    expect(monthsBefore(new Date("2020-03-31T10:00:00Z"), 1).toISOString()).toBe("2020-02-29T10:00:00.000Z");
    expect(monthsBefore(new Date("2021-01-15T00:00:00Z"), 25).toISOString()).toBe("2018-12-15T00:00:00.000Z");
  });
  it("is always strictly earlier for a positive number of months", () => {
    const now = new Date();
    for (let m = 1; m <= 240; m++) expect(monthsBefore(now, m).getTime()).toBeLessThan(now.getTime());
  });
});

describe("retentionCutoffs", () => {
  it("by default keeps events 25 months, development messages 30 days, and erases no one for inactivity", () => {
    const now = new Date("2021-06-15T12:00:00Z");
    expect(retentionCutoffs(defaultRetention, now)).toEqual({
      eventsBefore: new Date("2019-05-15T12:00:00Z"),
      devMessagesBefore: new Date("2021-05-16T12:00:00Z"),
      messagesBefore: new Date("2020-05-11T12:00:00Z"),
      inactiveBefore: null,
    });
  });
  it("keeps everything with every setting off", () => {
    const off = { eventsMonths: null, devMessagesDays: null, messagesDays: null, eraseInactiveMonths: null };
    expect(retentionCutoffs(off, new Date("2021-06-15T12:00:00Z"))).toEqual({
      eventsBefore: null,
      devMessagesBefore: null,
      messagesBefore: null,
      inactiveBefore: null,
    });
  });
});
