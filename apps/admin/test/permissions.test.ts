import { describe, expect, it } from "vitest";
import type { StaffRole } from "../src/pages.ts";
import { type Action, apiRoleOf, may, mayChangeSegment } from "../src/permissions.ts";

const roles: StaffRole[] = ["owner", "marketer", "operator", "analyst"];

describe("what each staff role may do, as the API decides it", () => {
  it("acts as an admin key for every role but the analyst's", () => {
    expect(roles.map(apiRoleOf)).toEqual(["admin", "admin", "admin", "analyst"]);
  });

  it("lets an analyst read segments, campaigns and analytics, and write SQL segments, but change nothing else", () => {
    const analyst = (action: Action) => may("analyst", action);
    for (const action of ["readSegments", "readCampaigns", "readAnalytics", "writeSqlSegments"] as const)
      expect(analyst(action), action).toBe(true);
    for (const action of [
      "readCustomers",
      "changeCustomers",
      "readProgramme",
      "changeProgramme",
      "writeSegmentDefinitions",
      "refreshSegments",
      "changeCampaigns",
      "changeCoupons",
    ] as const)
      expect(analyst(action), action).toBe(false);
  });

  it("lets every admin-role staff member do all of it, and nobody signed out anything", () => {
    for (const role of ["owner", "marketer", "operator"] as const) {
      expect(may(role, "refreshSegments")).toBe(true);
      expect(may(role, "changeCustomers")).toBe(true);
    }
    expect(may(undefined, "readSegments")).toBe(false);
  });
});

describe("who may change a saved segment", () => {
  const analyst = { id: "stf_ana", role: "analyst" as const };
  const mine = { kind: "sql" as const, createdBy: "staff:stf_ana" };

  it("lets an analyst change a SQL segment they created", () => {
    expect(mayChangeSegment(analyst, mine)).toBe(true);
  });

  it("refuses an analyst someone else's SQL segment, one made with an API key, and any definition", () => {
    expect(mayChangeSegment(analyst, { kind: "sql", createdBy: "staff:stf_other" })).toBe(false);
    expect(mayChangeSegment(analyst, { kind: "sql", createdBy: "key_01abc" })).toBe(false);
    expect(mayChangeSegment(analyst, { kind: "definition", createdBy: "staff:stf_ana" })).toBe(false);
  });

  it("lets admins change any segment, and nobody when no one is signed in", () => {
    expect(mayChangeSegment({ id: "stf_m", role: "marketer" }, { kind: "definition", createdBy: "key_1" })).toBe(true);
    expect(mayChangeSegment({ id: "stf_o", role: "owner" }, { kind: "sql", createdBy: "staff:stf_ana" })).toBe(true);
    expect(mayChangeSegment(undefined, mine)).toBe(false);
  });
});
