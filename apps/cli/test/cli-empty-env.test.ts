import type { Db } from "@regulars/db";
import { changeProgramme, edits, listVersions } from "@regulars/programme";
import { runRegularsCli, testDatabaseUrl, testDb, testTenant } from "@regulars/testing";
import { afterAll, beforeAll, expect, it } from "vitest";

// A variable set to nothing (`X=` in a .env or compose file) is one not set, as the server reads its own: its
// default applies, rather than 0 or a refusal.

let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

// Each test starts the CLI as a process: seconds on a busy machine.
const slow = { timeout: 240_000 };

it(
  "keeps the default clock-skew allowance for `programme cancel` when OCCURRED_AT_MAX_AHEAD_SECONDS is empty",
  slow,
  async () => {
    const { tenantId } = await testTenant(db, "CLI Empty Skew Bistro");
    // Inside the default allowance (300 seconds) however slowly the CLI starts: the test times out before it ends.
    const from = new Date(Date.now() + 295_000);
    await changeProgramme(db, {
      tenantId,
      actor: "test",
      action: "programme.pendingDays.set",
      target: null,
      edit: (c) => edits.setPendingDays(c, 9),
      effectiveFrom: from,
    });
    const run = await runRegularsCli(["programme", "cancel", "--tenant", tenantId, "--version", "2"], {
      DATABASE_URL: testDatabaseUrl(),
      OCCURRED_AT_MAX_AHEAD_SECONDS: "",
    });
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toContain("too close to cancel: sales stamped up to 300 seconds ahead of the clock");
    expect((await listVersions(db, tenantId)).map((v) => v.version)).toEqual([2, 1]);
  },
);

it("keeps the default embedded Postgres port when EMBEDDED_POSTGRES_PORT is empty", slow, async () => {
  const { tenantId } = await testTenant(db, "CLI Empty Port Bistro");
  // DATABASE_URL is used, but the whole environment is read first: an empty port refused it all.
  const run = await runRegularsCli(["tenant", "list", "--json"], {
    DATABASE_URL: testDatabaseUrl(),
    EMBEDDED_POSTGRES_PORT: "",
  });
  expect(run.code, run.stderr).toBe(0);
  expect(JSON.parse(run.stdout).map((t: { id: string }) => t.id)).toContain(tenantId);
});
