import { type ApiAction, roleMay, rolesAllowedTo } from "@regulars/contracts/api-access";
import type { Db } from "@regulars/db";
import { testDb } from "@regulars/testing";
import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Caller, tenantCallers } from "./helpers.ts";

// The admin app shows a control by `rolesAllowedTo` (its `may()`); here each action's procedure is called with each
// of the SPEC's roles, so a procedure whose check strays from the table fails. Calls go without input where they take
// one: an admitted role is then stopped by validation, a refused one by the role check, which runs first.

const specRoles = ["admin", "pos", "kiosk", "analyst"] as const;
const noInput = undefined as never;

/** One procedure behind each action; a new action in the table must name one here. */
const procedureOf: Record<ApiAction, (caller: Caller) => Promise<unknown>> = {
  readCustomers: (c) => c.customers.search(noInput),
  changeCustomers: (c) => c.customers.adjust(noInput),
  readProgramme: (c) => c.programme.versions(),
  changeProgramme: (c) => c.programme.cancelScheduled(noInput),
  readSegments: (c) => c.segments.list(),
  writeSqlSegments: (c) => c.segments.create(noInput),
  // Checked once the input is read: an admitted role goes on to ClickHouse, which these callers have none of.
  writeSegmentDefinitions: (c) =>
    c.segments.preview({ definition: { all: [{ type: "tier_in", tiers: ["gold"] }] }, sampleSize: 0 }),
  refreshSegments: (c) => c.segments.refresh(noInput),
  readCampaigns: (c) => c.templates.get(noInput),
  changeCampaigns: (c) => c.campaigns.create(noInput),
  changeCoupons: (c) => c.coupons.create(noInput),
  readAnalytics: (c) => c.analytics.dashboard.points(noInput),
};

const refused = (call: Promise<unknown>) =>
  call.then(
    () => false,
    (error: unknown) => error instanceof TRPCError && error.code === "FORBIDDEN",
  );

let db: Db;
let callers: Record<(typeof specRoles)[number], Caller>;

beforeAll(async () => {
  db = testDb();
  callers = await tenantCallers(db, "Role Table Grill");
});
afterAll(async () => {
  await db?.$disconnect();
});

describe("the role table the admin app reads", () => {
  it("lets tills do none of it, analysts read segments, campaigns and analytics and write SQL, admins all", () => {
    const allowedFor = (role: (typeof specRoles)[number]) =>
      (Object.keys(rolesAllowedTo) as ApiAction[]).filter((action) => roleMay(role, action));
    expect(allowedFor("pos")).toEqual([]);
    expect(allowedFor("kiosk")).toEqual([]);
    expect(allowedFor("analyst")).toEqual(["readSegments", "writeSqlSegments", "readCampaigns", "readAnalytics"]);
    expect(allowedFor("admin")).toEqual(Object.keys(rolesAllowedTo));
  });

  it("is what the procedures accept: each role is refused exactly the actions the table denies it", async () => {
    for (const [action, call] of Object.entries(procedureOf) as [ApiAction, (caller: Caller) => Promise<unknown>][])
      for (const role of specRoles)
        expect(await refused(call(callers[role])), `${role} → ${action}`).toBe(!roleMay(role, action));
  });
});
