import type { Db } from "@regulars/db";
import { findCredential } from "@regulars/tenancy";
import { runRegularsCli, testDatabaseUrl, testDb, testTenant } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/** The CLI as operators run it, as a separate process against the test database. */
const regulars = (...args: string[]) => runRegularsCli(args, { DATABASE_URL: testDatabaseUrl() });
const json = async (...args: string[]) => {
  const run = await regulars(...args, "--json");
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout);
};

let db: Db;
let tenantId: string;
let apiKeys: Record<string, string>;

beforeAll(async () => {
  db = testDb();
  ({ tenantId, apiKeys } = await testTenant(db, "CLI Key Burgers"));
});
afterAll(async () => {
  await db?.$disconnect();
});

describe("regulars keys", () => {
  it("create prints a working key once; list shows it without the key; rotate and revoke stop keys; all audited", async () => {
    const created = await json("keys", "create", "--tenant", tenantId, "--role", "kiosk", "--label", "kiosk store 9");
    expect(created).toMatchObject({ role: "kiosk", label: "kiosk store 9", key: expect.stringMatching(/^rk_kiosk_/) });
    expect(await findCredential(db, created.key)).toMatchObject({ tenantId, role: "kiosk" });

    const listed = await json("keys", "list", "--tenant", tenantId);
    expect(listed.map((k: { id: string }) => k.id)).toContain(created.id);
    const text = JSON.stringify(listed) + (await regulars("keys", "list", "--tenant", tenantId)).stdout;
    for (const key of [created.key, ...Object.values(apiKeys)]) expect(text).not.toContain(key);

    const rotated = await json("keys", "rotate", "--tenant", tenantId, "--key", created.id, "--grace", "0");
    expect(rotated).toMatchObject({
      role: "kiosk",
      label: "kiosk store 9",
      replaced: { id: created.id, revoked: true },
    });
    expect(await findCredential(db, created.key)).toBeNull();
    expect(await findCredential(db, rotated.key)).toMatchObject({ role: "kiosk" });

    const revoked = await json("keys", "revoke", "--tenant", tenantId, "--key", rotated.id);
    expect(revoked).toMatchObject({ id: rotated.id, revoked: true });
    expect(await findCredential(db, rotated.key)).toBeNull();
    expect(
      (await json("keys", "list", "--tenant", tenantId, "--active")).map((k: { id: string }) => k.id),
    ).not.toContain(rotated.id);

    const audit = await db.auditLog.findMany({ where: { tenantId, actor: "cli" }, orderBy: { id: "asc" } });
    expect(audit.map((a) => [a.action, a.target])).toEqual([
      ["apiKeys.create", created.id],
      ["apiKeys.rotate", created.id],
      ["apiKeys.revoke", rotated.id],
    ]);
  });

  it("names the flag and exits 2 for a bad role, a bad grace or an unknown tenant", async () => {
    const badRole = await regulars("keys", "create", "--tenant", tenantId, "--role", "root");
    expect(badRole.code).toBe(2);
    expect(badRole.stderr).toMatch(/--role/);
    const badGrace = await regulars("keys", "rotate", "--tenant", tenantId, "--key", "key_abc", "--grace", "-5");
    expect(badGrace.code).toBe(2);
    expect(badGrace.stderr).toMatch(/--grace/);
    const noTenant = await regulars("keys", "list", "--tenant", "ten_doesnotexist");
    expect(noTenant.code).toBe(2);
    expect(noTenant.stderr).toMatch(/--tenant/);
  });
});
