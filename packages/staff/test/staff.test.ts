import type { Db } from "@regulars/db";
import { DomainError } from "@regulars/errors";
import { testDb, testTenant } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  addStaff,
  findStaffByEmail,
  listStaff,
  removeStaff,
  resolveSession,
  setStaffPassword,
  setStaffRole,
  signIn,
} from "../src/index.ts";

// Members, roles and the rules that keep a tenant manageable, against the real database.

let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

const unique = () => Math.random().toString(36).slice(2, 10);
const password = "a long enough password";
const member = (role: "owner" | "marketer" | "operator" | "analyst", email = `${role}-${unique()}@staff.test`) => ({
  email,
  name: `${role} person`,
  role,
  password,
});
const codeOf = (e: unknown) => (e instanceof DomainError ? e.code : String(e));
const failure = (work: Promise<unknown>) => work.then(() => "succeeded", codeOf);

describe("staff members", () => {
  it("are added with a lower-cased e-mail, listed without their hash, and audited", async () => {
    const { tenantId } = await testTenant(db, "Staff Grill");
    const email = `Ada.${unique()}@Example.TEST`;
    const added = await addStaff(db, tenantId, { ...member("owner"), email: `  ${email} ` }, "key_1");
    expect(added).toMatchObject({ id: expect.stringMatching(/^stf_/), email: email.toLowerCase(), role: "owner" });
    expect(await listStaff(db, tenantId)).toEqual([added]);
    expect(JSON.stringify(await listStaff(db, tenantId))).not.toContain("scrypt");
    expect(await findStaffByEmail(db, tenantId, email.toUpperCase())).toEqual(added);
    const audit = await db.auditLog.findMany({ where: { tenantId, action: { startsWith: "staff." } } });
    expect(audit.map((a) => [a.action, a.actor, a.target])).toEqual([["staff.add", "key_1", added.id]]);
  });

  it("have e-mail addresses unique across tenants", async () => {
    const [a, b] = await Promise.all([testTenant(db, "First Grill"), testTenant(db, "Second Grill")]);
    const email = `shared-${unique()}@staff.test`;
    await addStaff(db, a.tenantId, member("marketer", email), "key_1");
    expect(await failure(addStaff(db, b.tenantId, member("owner", email.toUpperCase()), "key_1"))).toBe("conflict");
    expect(await listStaff(db, b.tenantId)).toEqual([]);
  });

  it("never lose the tenant's last owner, and nobody removes or re-roles themselves", async () => {
    const { tenantId } = await testTenant(db, "Owner Grill");
    const owner = await addStaff(db, tenantId, member("owner"), "key_1");
    const marketer = await addStaff(db, tenantId, member("marketer"), "key_1");
    const asOwner = { actor: `staff:${owner.id}`, staffId: owner.id };
    expect(await failure(removeStaff(db, tenantId, owner.id, asOwner))).toBe("forbidden");
    expect(await failure(removeStaff(db, tenantId, owner.id, { actor: "key_1" }))).toBe("conflict");
    expect(await failure(setStaffRole(db, tenantId, { id: owner.id, role: "analyst" }, { actor: "key_1" }))).toBe(
      "conflict",
    );
    await setStaffRole(db, tenantId, { id: marketer.id, role: "owner" }, asOwner);
    // Two owners removing each other at once: one goes, the other stays the last owner.
    const outcomes = await Promise.all([
      failure(removeStaff(db, tenantId, owner.id, { actor: "a", staffId: marketer.id })),
      failure(removeStaff(db, tenantId, marketer.id, { actor: "b", staffId: owner.id })),
    ]);
    expect(outcomes.sort()).toEqual(["conflict", "succeeded"]);
    expect((await listStaff(db, tenantId)).filter((m) => m.role === "owner")).toHaveLength(1);
  });

  it("are found only in their own tenant", async () => {
    const [a, b] = await Promise.all([testTenant(db, "Mine Grill"), testTenant(db, "Theirs Grill")]);
    const theirs = await addStaff(db, b.tenantId, member("operator"), "key_1");
    expect(await failure(removeStaff(db, a.tenantId, theirs.id, { actor: "key_1" }))).toBe("not_found");
    expect(await failure(setStaffRole(db, a.tenantId, { id: theirs.id, role: "owner" }, { actor: "key_1" }))).toBe(
      "not_found",
    );
    expect(await findStaffByEmail(db, a.tenantId, theirs.email)).toBeNull();
  });

  it("sign out everywhere when their password changes or they are removed", async () => {
    const { tenantId } = await testTenant(db, "Password Grill");
    await addStaff(db, tenantId, member("owner"), "key_1");
    const operator = await addStaff(db, tenantId, member("operator"), "key_1");
    const first = await signIn(db, { email: operator.email, password }, { clientIp: "192.0.2.10" });
    await setStaffPassword(db, tenantId, { id: operator.id, password: "another long password" }, { actor: "key_1" });
    expect(await resolveSession(db, first.token)).toBeNull();
    expect(await failure(signIn(db, { email: operator.email, password }, { clientIp: "192.0.2.10" }))).toBe(
      "unauthenticated",
    );
    const second = await signIn(
      db,
      { email: operator.email, password: "another long password" },
      { clientIp: "192.0.2.10" },
    );
    await removeStaff(db, tenantId, operator.id, { actor: "key_1" });
    expect(await resolveSession(db, second.token)).toBeNull();
    const actions = await db.auditLog.findMany({ where: { tenantId, target: operator.id }, orderBy: { id: "asc" } });
    expect(actions.map((a) => a.action)).toEqual(["staff.add", "staff.setPassword", "staff.remove"]);
  });
});
