import type { Db } from "@regulars/db";
import { signIn } from "@regulars/staff";
import { runRegularsCli, testDatabaseUrl, testDb, testTenant } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/** The CLI as operators run it, as a separate process against the test database. */
const regulars = (...args: string[]) => runRegularsCli(args, { DATABASE_URL: testDatabaseUrl() });
const json = async (...args: string[]) => {
  const run = await regulars(...args, "--json");
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout);
};

/** Each run starts a Node process that compiles the CLI: several seconds each on a busy machine. */
const CLI_RUNS_MS = 240_000;

let db: Db;
let tenantId: string;
const unique = Math.random().toString(36).slice(2, 10);

beforeAll(async () => {
  db = testDb();
  ({ tenantId } = await testTenant(db, "CLI Staff Burgers"));
});
afterAll(async () => {
  await db?.$disconnect();
});

describe("regulars staff", () => {
  it(
    "add generates and prints a password that signs in; list shows members; remove takes them out; audited",
    async () => {
      const email = `owner-${unique}@cli.test`;
      const owner = await json(
        "staff",
        "add",
        "--tenant",
        tenantId,
        "--email",
        email,
        "--name",
        "Olga",
        "--role",
        "owner",
      );
      expect(owner).toMatchObject({
        email,
        name: "Olga",
        role: "owner",
        password: expect.stringMatching(/^[\w-]{24}$/),
      });
      const { session } = await signIn(db, { email, password: owner.password }, { clientIp: "192.0.2.50" });
      expect(session.tenant.id).toBe(tenantId);

      const text = await regulars(
        "staff",
        "add",
        "--tenant",
        tenantId,
        "--email",
        `Mark-${unique}@CLI.test`,
        "--name",
        "Mark",
        "--role",
        "marketer",
        "--password",
        "chosen by the operator",
      );
      expect(text.code, text.stderr).toBe(0);
      expect(text.stdout).toContain(`mark-${unique}@cli.test`);
      expect(text.stdout).not.toContain("chosen by the operator");

      const listed = await json("staff", "list", "--tenant", tenantId);
      expect(listed.map((m: { email: string; role: string }) => [m.email, m.role])).toEqual([
        [`mark-${unique}@cli.test`, "marketer"],
        [email, "owner"],
      ]);
      expect(JSON.stringify(listed)).not.toContain(owner.password);

      const removed = await json("staff", "remove", "--tenant", tenantId, "--email", `mark-${unique}@cli.test`);
      expect(removed).toMatchObject({ email: `mark-${unique}@cli.test` });
      expect((await db.staffUser.findMany({ where: { tenantId } })).map((m) => m.id)).toEqual([owner.id]);

      const audit = await db.auditLog.findMany({ where: { tenantId, actor: "cli" }, orderBy: { id: "asc" } });
      expect(audit.map((a) => a.action)).toEqual(["staff.add", "staff.add", "staff.remove"]);
    },
    CLI_RUNS_MS,
  );

  it(
    "names the flag and exits 2 for a bad role, a short password, an unknown member or the last owner",
    async () => {
      const add = (...extra: string[]) =>
        regulars("staff", "add", "--tenant", tenantId, "--email", `x-${unique}@cli.test`, "--name", "X", ...extra);
      const badRole = await add("--role", "root");
      expect([badRole.code, badRole.stderr]).toEqual([2, expect.stringMatching(/--role/)]);
      const short = await add("--role", "analyst", "--password", "short");
      expect([short.code, short.stderr]).toEqual([2, expect.stringMatching(/--password: must be at least 12/)]);
      const nobody = await regulars("staff", "remove", "--tenant", tenantId, "--email", "nobody@cli.test");
      expect([nobody.code, nobody.stderr]).toEqual([2, expect.stringMatching(/--email/)]);
      const lastOwner = await regulars("staff", "remove", "--tenant", tenantId, "--email", `owner-${unique}@cli.test`);
      expect([lastOwner.code, lastOwner.stderr]).toEqual([2, expect.stringMatching(/last owner/)]);
      const noTenant = await regulars("staff", "list", "--tenant", "ten_doesnotexist");
      expect([noTenant.code, noTenant.stderr]).toEqual([2, expect.stringMatching(/--tenant/)]);
    },
    CLI_RUNS_MS,
  );
});
