import type { Db } from "@regulars/db";
import { changeProgramme, edits, listVersions, tenantLocalTime } from "@regulars/programme";
import { runRegularsCli, testDatabaseUrl, testDb, testTenant } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/** The CLI as operators run it, as a separate process against the test database. */
const regulars = (...args: string[]) => runRegularsCli(args, { DATABASE_URL: testDatabaseUrl() });

let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

const warsawTenant = async () => (await testTenant(db, "CLI Cancel Bistro", "Europe/Warsaw")).tenantId;
const pendingDays = (tenantId: string, days: number, effectiveFrom?: Date) =>
  changeProgramme(db, {
    tenantId,
    actor: "test",
    action: "programme.pendingDays.set",
    target: null,
    edit: (c) => edits.setPendingDays(c, days),
    effectiveFrom,
  });
const cancel = (tenantId: string, version: string) =>
  regulars("programme", "cancel", "--tenant", tenantId, "--version", version);
const numbers = async (tenantId: string) => (await listVersions(db, tenantId)).map((v) => v.version);

// Each test starts the CLI as a process, up to three times: seconds apiece on a busy machine.
const slow = { timeout: 240_000 };

describe("regulars programme cancel", () => {
  it(
    "cancels the scheduled version and prints when it would have taken effect, in tenant time and UTC",
    slow,
    async () => {
      const tenantId = await warsawTenant();
      const from = new Date(Date.now() + 3_600_000);
      await pendingDays(tenantId, 9, from);
      const run = await cancel(tenantId, "2");
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toBe(
        `programme version 2, scheduled from ${tenantLocalTime(from, "Europe/Warsaw")} (${from.toISOString()}), cancelled\n`,
      );
      expect(await numbers(tenantId)).toEqual([1]);
      expect(await db.auditLog.count({ where: { tenantId, action: "programme.cancel", actor: "cli" } })).toBe(1);
    },
  );

  it("refuses the version in force with exit code 2, saying why, and changes nothing", slow, async () => {
    const tenantId = await warsawTenant();
    await pendingDays(tenantId, 3);
    const run = await cancel(tenantId, "2");
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("--version: version 2 took effect at");
    expect(run.stderr).toContain("Europe/Warsaw");
    expect(run.stderr).not.toMatch(/prisma|invocation|at .*\.ts:/i);
    expect(await numbers(tenantId)).toEqual([2, 1]);
  });

  it("refuses what is not a version, or no version of this tenant, with exit code 2", slow, async () => {
    const tenantId = await warsawTenant();
    const other = await warsawTenant();
    await pendingDays(other, 9, new Date(Date.now() + 3_600_000));
    const typo = await cancel(tenantId, "two");
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain("--version: 'two' is not a version number");
    const missing = await cancel(tenantId, "2");
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("--version: programme version 2 does not exist");
    const noTenant = await cancel("ten_doesnotexist", "2");
    expect(noTenant.code).toBe(2);
    expect(noTenant.stderr).toContain("--tenant: no tenant ten_doesnotexist");
    expect(await numbers(other)).toEqual([2, 1]);
  });

  it("names a clock-skew allowance in the environment that is not whole seconds, with exit code 2", slow, async () => {
    const tenantId = await warsawTenant();
    await pendingDays(tenantId, 9, new Date(Date.now() + 3_600_000));
    const run = await runRegularsCli(["programme", "cancel", "--tenant", tenantId, "--version", "2"], {
      DATABASE_URL: testDatabaseUrl(),
      OCCURRED_AT_MAX_AHEAD_SECONDS: "abc",
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toBe("OCCURRED_AT_MAX_AHEAD_SECONDS: must be a whole number of seconds\n");
    expect(await numbers(tenantId)).toEqual([2, 1]);
  });
});
