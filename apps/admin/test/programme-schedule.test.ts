import { describe, expect, it } from "vitest";
import { editTarget, overwritesScheduled, scheduledVersion } from "../src/pages/programme/schedule.tsx";

const version = (n: number, inForce: boolean, effectiveFrom: string) => ({
  version: n,
  inForce,
  effectiveFrom,
  createdAt: "2024-01-01T00:00:00.000Z",
  createdBy: "key_admin",
  basedOn: n - 1,
});
const inForce = version(2, true, "2024-01-01T00:00:00.000Z");
const scheduled = version(3, false, "2024-06-01T00:00:00.000Z");

describe("scheduledVersion", () => {
  it("is the newest version when it is not the one in force", () => {
    expect(scheduledVersion([scheduled, inForce], 2)).toBe(scheduled);
    expect(scheduledVersion([inForce, version(1, false, "1970-01-01T00:00:00.000Z")], 2)).toBeNull();
    expect(scheduledVersion(undefined, 2)).toBeNull();
  });
});

describe("editTarget", () => {
  it("sends nothing extra while nothing is scheduled, or the time the user chose", () => {
    expect(editTarget(null, "inForceAndScheduled", undefined)).toEqual({});
    expect(editTarget(null, "inForceAndScheduled", "2024-03-01T08:00:00.000Z")).toEqual({
      effectiveFrom: "2024-03-01T08:00:00.000Z",
    });
  });

  it("while a version is scheduled, changes both, or only the scheduled one from its own time", () => {
    expect(editTarget(scheduled, "inForceAndScheduled", undefined)).toEqual({ alsoScheduled: true });
    expect(editTarget(scheduled, "scheduledOnly", "2024-03-01T08:00:00.000Z")).toEqual({
      effectiveFrom: scheduled.effectiveFrom,
    });
  });
});

describe("overwritesScheduled", () => {
  it("recognises the refusal to replace what the scheduled version changed, and nothing else", () => {
    const refusal = (path: string) => ({
      data: { error: { code: "conflict", message: "m", issues: [{ path, message: "m" }] } },
    });
    expect(overwritesScheduled(refusal("alsoScheduled"))).toBe(true);
    expect(overwritesScheduled(refusal("effectiveFrom"))).toBe(false);
    expect(overwritesScheduled(new TypeError("fetch failed"))).toBe(false);
    expect(overwritesScheduled(null)).toBe(false);
  });
});
