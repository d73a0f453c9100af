import type { Db } from "@regulars/db";
import { tenantLocalTime } from "@regulars/programme";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCaller } from "../src/root.ts";
import { failure, HOUR, inMs, tenantCallers } from "./helpers.ts";

let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

describe("programme.cancelScheduled", () => {
  it("keeps a version starting within the deployment's clock-skew allowance, not only the default 300 s", async () => {
    const t = await tenantCallers(db);
    await t.admin.programme.pendingDays.set({ days: 9, effectiveFrom: inMs(20 * 60_000) });
    // A gateway accepting sales stamped an hour ahead: one stamped in 25 minutes may already have earned under it.
    const api = createCaller({
      db,
      credential: t.adminCredential,
      requestId: "req_test",
      occurredAtMaxAheadSeconds: 3_600,
    });
    const refused = await failure(api.programme.cancelScheduled({ version: 2 }));
    expect(refused.code).toBe("CONFLICT");
    expect(refused.message).toContain("3600 seconds");
    expect(await t.admin.programme.versions()).toHaveLength(2);
  });

  it("cancels the scheduled version: gone from the versions, audited under the admin key", async () => {
    const t = await tenantCallers(db);
    const from = inMs(HOUR);
    await t.admin.programme.pendingDays.set({ days: 9, effectiveFrom: from });
    expect(await t.admin.programme.cancelScheduled({ version: 2 })).toEqual({
      version: 2,
      effectiveFrom: new Date(from).toISOString(),
      removed: [2],
    });
    expect(await t.admin.programme.versions()).toMatchObject([{ version: 1, inForce: true }]);
    expect((await t.admin.programme.get({ at: from })).version).toBe(1);
    const { items } = await t.admin.audit.list({ limit: 1 });
    expect(items[0]).toMatchObject({ action: "programme.cancel", target: "2", actor: t.adminKeyId });
    // Now nothing is scheduled, a change may take effect now again; it gets a new number.
    expect((await t.admin.programme.pendingDays.set({ days: 3 })).version).toBe(3);
    expect((await t.admin.programme.versions())[0]).toMatchObject({ version: 3, basedOn: 1 });
  });

  it("refuses the version in force with CONFLICT, naming when it took effect on the tenant's clock", async () => {
    const t = await tenantCallers(db);
    const now = await t.admin.programme.pendingDays.set({ days: 4 });
    const error = await failure(t.admin.programme.cancelScheduled({ version: now.version }));
    expect(error.code).toBe("CONFLICT");
    expect(error.message).toContain(
      `version 2 took effect at ${tenantLocalTime(new Date(now.effectiveFrom), "Europe/Warsaw")}`,
    );
    expect((await t.admin.programme.versions()).map((v) => v.version)).toEqual([2, 1]);
  });

  it("finds no version of another tenant: theirs stays scheduled", async () => {
    const mine = await tenantCallers(db);
    const theirs = await tenantCallers(db, "Other Grill");
    await theirs.admin.programme.pendingDays.set({ days: 9, effectiveFrom: inMs(HOUR) });
    expect((await failure(mine.admin.programme.cancelScheduled({ version: 2 }))).code).toBe("NOT_FOUND");
    expect((await theirs.admin.programme.versions()).map((v) => v.version)).toEqual([2, 1]);
    expect((await mine.admin.audit.list()).items).toEqual([]);
  });

  it("is for admin keys only", async () => {
    const t = await tenantCallers(db);
    await t.admin.programme.pendingDays.set({ days: 9, effectiveFrom: inMs(HOUR) });
    for (const caller of [t.kiosk, t.pos, t.analyst])
      expect((await failure(caller.programme.cancelScheduled({ version: 2 }))).code).toBe("FORBIDDEN");
    expect((await t.admin.programme.versions()).map((v) => v.version)).toEqual([2, 1]);
  });
});
