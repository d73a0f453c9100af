import type { Db } from "@regulars/db";
import { tenantFrequencyCaps } from "@regulars/tenancy";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { failure, issuesOf, signedInStaff, tenantCallers } from "./helpers.ts";

let db: Db;
let t: Awaited<ReturnType<typeof tenantCallers>>;
let other: Awaited<ReturnType<typeof tenantCallers>>;

beforeAll(async () => {
  db = testDb();
  t = await tenantCallers(db, "Capped Grill");
  other = await tenantCallers(db, "Uncapped Grill");
});
afterAll(async () => {
  await db?.$disconnect();
});

const weekly = { max: 3, windowHours: 24 * 7 };
const dailyPush = { channel: "push" as const, max: 1, windowHours: 24 };

describe("tenants.frequencyCaps and tenants.setFrequencyCaps", () => {
  it("starts with none, stores the list, and audits the change with who made it", async () => {
    expect(await t.admin.tenants.frequencyCaps()).toEqual({ caps: [] });

    expect(await t.admin.tenants.setFrequencyCaps({ caps: [weekly, dailyPush] })).toEqual({
      caps: [weekly, dailyPush],
    });
    expect(await t.admin.tenants.frequencyCaps()).toEqual({ caps: [weekly, dailyPush] });
    // What the workers read: the same list.
    expect(await tenantFrequencyCaps(db, t.tenantId)).toEqual([weekly, dailyPush]);

    await t.admin.tenants.setFrequencyCaps({ caps: [dailyPush] });
    const audits = await db.$queryRaw<{ actor: string; details: unknown }[]>`
      SELECT actor, details FROM audit_log WHERE tenant_id = ${t.tenantId} AND action = 'tenants.setFrequencyCaps'
      ORDER BY id`;
    expect(audits).toEqual([
      { actor: t.adminKeyId, details: { from: [], to: [weekly, dailyPush] } },
      { actor: t.adminKeyId, details: { from: [weekly, dailyPush], to: [dailyPush] } },
    ]);
  });

  it("keeps each tenant's caps to itself", async () => {
    await t.admin.tenants.setFrequencyCaps({ caps: [weekly] });
    expect(await other.admin.tenants.frequencyCaps()).toEqual({ caps: [] });
    await other.admin.tenants.setFrequencyCaps({ caps: [dailyPush] });
    expect(await t.admin.tenants.frequencyCaps()).toEqual({ caps: [weekly] });
    expect(await other.admin.tenants.frequencyCaps()).toEqual({ caps: [dailyPush] });
  });

  it("refuses a cap of no messages or no window with the field, and changes nothing", async () => {
    await t.admin.tenants.setFrequencyCaps({ caps: [weekly] });
    const refused = await failure(t.admin.tenants.setFrequencyCaps({ caps: [{ max: 0, windowHours: 0 }] }));
    expect(refused.code).toBe("BAD_REQUEST");
    expect(issuesOf(refused)?.map((i) => i.path)).toEqual(["caps.0.max", "caps.0.windowHours"]);
    const tooMany = await failure(t.admin.tenants.setFrequencyCaps({ caps: Array.from({ length: 11 }, () => weekly) }));
    expect(tooMany.code).toBe("BAD_REQUEST");
    expect(await t.admin.tenants.frequencyCaps()).toEqual({ caps: [weekly] });
  });

  it("is set by admin keys and the staff who act as admins, read by analysts too; not by tills or kiosks", async () => {
    for (const caller of [t.pos, t.kiosk, t.analyst])
      expect((await failure(caller.tenants.setFrequencyCaps({ caps: [] }))).code).toBe("FORBIDDEN");
    for (const caller of [t.pos, t.kiosk])
      expect((await failure(caller.tenants.frequencyCaps())).code).toBe("FORBIDDEN");
    expect(await t.analyst.tenants.frequencyCaps()).toEqual({ caps: [weekly] });

    const marketer = await signedInStaff(db, t.tenantId, "marketer");
    expect(await marketer.caller.tenants.setFrequencyCaps({ caps: [dailyPush] })).toEqual({ caps: [dailyPush] });
    const [audit] = await db.$queryRaw<{ actor: string }[]>`
      SELECT actor FROM audit_log WHERE tenant_id = ${t.tenantId} AND action = 'tenants.setFrequencyCaps'
      ORDER BY id DESC LIMIT 1`;
    expect(audit?.actor).toBe(marketer.credential.keyId);
  });
});
