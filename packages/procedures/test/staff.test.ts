import type { Db } from "@regulars/db";
import { addStaff, type StaffRole, signIn } from "@regulars/staff";
import { credentialOfStaffSession } from "@regulars/tenancy";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCaller } from "../src/root.ts";
import { failure, signedInStaff, tenantCallers } from "./helpers.ts";

// staff.* and the owner-only procedures, called as the admin app's signed-in members and as API keys.

let db: Db;
let t: Awaited<ReturnType<typeof tenantCallers>>;
const password = "a long enough password";

const signedIn = (role: StaffRole) => signedInStaff(db, t.tenantId, role);

beforeAll(async () => {
  db = testDb();
  t = await tenantCallers(db, "Staff Procedures Grill");
});
afterAll(async () => {
  await db?.$disconnect();
});

describe("staff.me", () => {
  it("names the signed-in member and their tenant; for an API key, no member", async () => {
    const owner = await signedIn("owner");
    const me = await owner.caller.staff.me();
    expect(me.staff).toEqual({ id: owner.member.id, email: owner.member.email, name: "A owner", role: "owner" });
    expect(me.tenant).toMatchObject({ id: t.tenantId, currency: "EUR", timezone: "Europe/Warsaw" });
    expect(owner.credential).toMatchObject({ keyId: `staff:${owner.member.id}`, role: "admin" });
    expect(await t.admin.staff.me()).toEqual({ staff: null, tenant: me.tenant });
  });
});

describe("managing staff", () => {
  it("is for admin keys and owners; marketers, operators and analysts are refused with a reason", async () => {
    for (const role of ["marketer", "operator", "analyst"] as const) {
      const { caller } = await signedIn(role);
      const refused = await failure(caller.staff.add({ email: "x@staff.test", name: "X", role: "owner", password }));
      expect(refused.code, role).toBe("FORBIDDEN");
      expect((await failure(caller.staff.list())).code).toBe("FORBIDDEN");
      expect((await failure(caller.apiKeys.create({ role: "pos" }))).code).toBe("FORBIDDEN");
      expect((await failure(caller.apiKeys.list())).code).toBe("FORBIDDEN");
    }
    const marketer = await signedIn("marketer");
    expect((await failure(marketer.caller.staff.list())).message).toMatch(/only an owner manages staff/);
    // ...though a marketer acts as an admin elsewhere.
    await expect(marketer.caller.programme.get()).resolves.toBeDefined();
    for (const caller of [t.kiosk, t.pos, t.analyst])
      expect((await failure(caller.staff.list())).code).toBe("FORBIDDEN");
  });

  it("lets an owner add, re-role and remove members, audited under staff:<id>", async () => {
    const owner = await signedIn("owner");
    const added = await owner.caller.staff.add({
      email: "New.Person@Staff.TEST",
      name: "New",
      role: "operator",
      password,
    });
    expect(added).toMatchObject({ email: "new.person@staff.test", role: "operator" });
    expect((await owner.caller.staff.list()).map((m) => m.id)).toContain(added.id);
    expect(await owner.caller.staff.setRole({ id: added.id, role: "analyst" })).toMatchObject({ role: "analyst" });
    expect(await owner.caller.staff.remove({ id: added.id })).toMatchObject({ id: added.id });
    expect((await owner.caller.staff.list()).map((m) => m.id)).not.toContain(added.id);
    const audit = await db.auditLog.findMany({
      where: { tenantId: t.tenantId, target: added.id },
      orderBy: { id: "asc" },
    });
    expect(audit.map((a) => [a.action, a.actor])).toEqual([
      ["staff.add", `staff:${owner.member.id}`],
      ["staff.setRole", `staff:${owner.member.id}`],
      ["staff.remove", `staff:${owner.member.id}`],
    ]);
    // And an owner manages API keys.
    const key = await owner.caller.apiKeys.create({ role: "pos", label: "till 3" });
    expect(key.role).toBe("pos");
  });

  it("refuses short passwords and bad roles with the field named", async () => {
    const short = await failure(
      t.admin.staff.add({ email: "s@staff.test", name: "S", role: "owner", password: "short" }),
    );
    expect(short.code).toBe("BAD_REQUEST");
    const badRole = await failure(
      t.admin.staff.add({ email: "s@staff.test", name: "S", role: "root" as never, password }),
    );
    expect(badRole.code).toBe("BAD_REQUEST");
  });

  it("stops an owner removing themselves or the last owner", async () => {
    const other = await tenantCallers(db, "Lone Owner Grill");
    const email = `lone-${Math.random().toString(36).slice(2)}@staff.test`;
    const lone = await addStaff(db, other.tenantId, { email, name: "Lone", role: "owner", password }, "test");
    const { session } = await signIn(db, { email, password }, { clientIp: "203.0.113.8" });
    const caller = createCaller({ db, credential: credentialOfStaffSession(session), requestId: "req_test" });
    expect((await failure(caller.staff.remove({ id: lone.id }))).code).toBe("FORBIDDEN");
    expect((await failure(caller.staff.setRole({ id: lone.id, role: "marketer" }))).code).toBe("FORBIDDEN");
    expect((await failure(other.admin.staff.remove({ id: lone.id }))).code).toBe("CONFLICT");
    expect((await failure(other.admin.staff.remove({ id: lone.id }))).message).toMatch(/last owner/);
  });
});
