import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Db } from "@regulars/db";
import { programmeAt } from "@regulars/programme";
import { runRegularsCli, testDatabaseUrl, testDb, testTenant } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/** The CLI as operators run it, as a separate process against the test database. */
const regulars = (...args: string[]) => runRegularsCli(args, { DATABASE_URL: testDatabaseUrl() });

let db: Db;
let file: string;
let dir: string;
// Always ahead, and in New York's winter (UTC-5) and summer (UTC-4) time alike.
const year = new Date().getUTCFullYear() + 2;

/** A New York tenant of its own: a version scheduled by one test must not bound the next one's dates. */
const newYorkTenant = async () => (await testTenant(db, "CLI Programme Diner", "America/New_York", "USD")).tenantId;
const setProgramme = (tenantId: string, effectiveFrom: string) =>
  regulars("programme", "set", "--tenant", tenantId, "--file", file, "--effective-from", effectiveFrom);
const versionsOf = (tenantId: string) =>
  db.programmeVersion.findMany({ where: { tenantId }, orderBy: { version: "asc" }, select: { effectiveFrom: true } });

beforeAll(async () => {
  db = testDb();
  dir = await mkdtemp(join(tmpdir(), "regulars-cli-programme-"));
  file = join(dir, "programme.json");
  const { config } = await programmeAt(db, await newYorkTenant());
  await writeFile(file, JSON.stringify({ ...config, pendingDays: 2 }));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  await db?.$disconnect();
});

describe("regulars programme set --effective-from", () => {
  it("reads a bare date as midnight in the tenant's time zone and prints it in tenant time and UTC", async () => {
    const tenantId = await newYorkTenant();
    const run = await setProgramme(tenantId, `${year}-01-01`);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe(
      `programme version 2 in force from ${year}-01-01 00:00 America/New_York (${year}-01-01T05:00:00.000Z)\n`,
    );
    expect((await versionsOf(tenantId)).at(-1)?.effectiveFrom.toISOString()).toBe(`${year}-01-01T05:00:00.000Z`);
  });

  it("reads a date and time without an offset as the tenant's wall clock, not the server's", async () => {
    const tenantId = await newYorkTenant();
    const run = await setProgramme(tenantId, `${year}-07-01T09:30`);
    expect(run.code, run.stderr).toBe(0);
    expect((await versionsOf(tenantId)).at(-1)?.effectiveFrom.toISOString()).toBe(`${year}-07-01T13:30:00.000Z`);
    expect(run.stdout).toContain(`${year}-07-01 09:30 America/New_York`);
  });

  it("takes a timestamp with an offset as it says", async () => {
    const tenantId = await newYorkTenant();
    const run = await setProgramme(tenantId, `${year}-01-01T00:00:00Z`);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(`${year - 1}-12-31 19:00 America/New_York (${year}-01-01T00:00:00.000Z)`);
  });

  it("refuses what is not a date with exit code 2, naming the option and the forms it takes", async () => {
    const tenantId = await newYorkTenant();
    for (const typed of ["tomorrow", `${year}-02-30`]) {
      const run = await setProgramme(tenantId, typed);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(`--effective-from: '${typed}' is not a date (YYYY-MM-DD)`);
      expect(run.stderr).toContain("ISO timestamp with an offset");
      expect(run.stderr).not.toMatch(/prisma|invocation/i);
    }
    expect(await versionsOf(tenantId)).toHaveLength(1);
  });

  it("refuses a date in the past with exit code 2: history is never rewritten", async () => {
    const tenantId = await newYorkTenant();
    const run = await setProgramme(tenantId, "2020-01-01");
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("--effective-from: must not be in the past");
    expect(await versionsOf(tenantId)).toHaveLength(1);
  });

  it("refuses a date before a scheduled version, saying what the CLI can do instead", async () => {
    const tenantId = await newYorkTenant();
    expect((await setProgramme(tenantId, `${year}-07-01`)).code).toBe(0);
    const run = await setProgramme(tenantId, `${year}-01-01`);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("--effective-from: version 2 is scheduled to take effect at");
    expect(run.stderr).toContain("Pass --effective-from at or after that time");
    expect(run.stderr).not.toContain("alsoScheduled");
    expect(await versionsOf(tenantId)).toHaveLength(2);
  });
});

describe("regulars programme show", () => {
  it("refuses a tenant that does not exist with exit code 2, as every --tenant command does", async () => {
    const shown = await regulars("programme", "show", "--tenant", "ten_doesnotexist");
    expect(shown.code).toBe(2);
    expect(shown.stderr).toContain("--tenant: no tenant ten_doesnotexist");
    expect(shown.stdout).toBe("");
  });
});

describe("regulars programme set --file", () => {
  it("takes back what programme show printed, and refuses by name a key a programme does not have", async () => {
    const tenantId = await newYorkTenant();
    const shown = await regulars("programme", "show", "--tenant", tenantId);
    const printed = JSON.parse(shown.stdout);
    expect(printed.config.rules.length).toBeGreaterThan(0);
    const roundTrip = join(dir, "shown.json");
    await writeFile(roundTrip, shown.stdout);
    const again = await regulars("programme", "set", "--tenant", tenantId, "--file", roundTrip);
    expect(again).toMatchObject({ code: 0, stderr: "" });
    const now = await programmeAt(db, tenantId);
    expect(now.version).toBe(printed.version + 1);
    expect(now.config).toEqual(printed.config);

    const typo = join(dir, "typo.json");
    const { rules, ...rest } = JSON.parse(shown.stdout).config;
    await writeFile(typo, JSON.stringify({ ...rest, rule: rules }));
    const refused = await regulars("programme", "set", "--tenant", tenantId, "--file", typo);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("rule: is not part of a programme");

    const missing = await regulars("programme", "set", "--tenant", tenantId, "--file", join(dir, "nope.json"));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("--file: cannot read");
    const notJson = join(dir, "broken.json");
    await writeFile(notJson, "{ rules: ");
    const broken = await regulars("programme", "set", "--tenant", tenantId, "--file", notJson);
    expect(broken.code).toBe(2);
    expect(broken.stderr).toContain("is not JSON");
  });
});
