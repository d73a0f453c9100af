import type { Db } from "@regulars/db";
import { findCredential } from "@regulars/tenancy";
import { runRegularsCli, testDatabaseUrl, testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/** Runs the CLI as operators do, as a separate process against the test database. */
const regulars = (...args: string[]) => runRegularsCli(args, { DATABASE_URL: testDatabaseUrl() });

let db: Db;
const name = `CLI Burgers ${Date.now().toString(36)}`;
let created: { tenantId: string; apiKeys: Record<"admin" | "pos" | "kiosk" | "analyst" | "app", string> };

beforeAll(async () => {
  db = testDb();
  const run = await regulars(
    "tenant",
    "create",
    "--name",
    name,
    "--timezone",
    "Europe/Warsaw",
    "--currency",
    "EUR",
    "--json",
  );
  expect(run.code, run.stderr).toBe(0);
  created = JSON.parse(run.stdout);
});
afterAll(async () => {
  await db?.$disconnect();
});

describe("regulars tenant create", () => {
  it("prints the tenant id and one key per role as JSON", () => {
    expect(created).toEqual({
      tenantId: expect.stringMatching(/^ten_[a-z0-9]+$/),
      apiKeys: {
        admin: expect.stringMatching(/^rk_admin_/),
        pos: expect.stringMatching(/^rk_pos_/),
        kiosk: expect.stringMatching(/^rk_kiosk_/),
        analyst: expect.stringMatching(/^rk_analyst_/),
        app: expect.stringMatching(/^rk_app_/),
      },
    });
  });

  it("stores the tenant, and the printed keys work", async () => {
    expect(await db.tenant.findUniqueOrThrow({ where: { id: created.tenantId } })).toMatchObject({
      name,
      timezone: "Europe/Warsaw",
      currency: "EUR",
    });
    for (const [role, key] of Object.entries(created.apiKeys)) {
      expect(await findCredential(db, key)).toMatchObject({ tenantId: created.tenantId, role });
    }
    expect(await db.programmeVersion.count({ where: { tenantId: created.tenantId } })).toBe(1);
  });

  it("exits with code 2 and names the flag for an invalid currency, creating nothing", async () => {
    const bad = `${name} bad`;
    const run = await regulars(
      "tenant",
      "create",
      "--name",
      bad,
      "--timezone",
      "Europe/Warsaw",
      "--currency",
      "eur",
      "--json",
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--currency/);
    expect(run.stdout).toBe("");
    expect(await db.tenant.count({ where: { name: bad } })).toBe(0);
  });

  it("exits with code 2 and names the flag for an invalid time zone", async () => {
    const run = await regulars(
      "tenant",
      "create",
      "--name",
      `${name} tz`,
      "--timezone",
      "Europe/Atlantis",
      "--currency",
      "EUR",
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--timezone/);
  });

  it("refuses a missing required flag", async () => {
    const run = await regulars("tenant", "create", "--name", `${name} nocur`, "--timezone", "Europe/Warsaw");
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/--currency/);
  });
});

describe("regulars tenant list", () => {
  it("lists the created tenant as JSON", async () => {
    const run = await regulars("tenant", "list", "--json");
    expect(run.code, run.stderr).toBe(0);
    const rows = JSON.parse(run.stdout) as { id: string; name: string }[];
    expect(rows).toContainEqual({
      id: created.tenantId,
      name,
      timezone: "Europe/Warsaw",
      currency: "EUR",
      language: "en",
      createdAt: expect.any(String),
    });
    // Listing never prints keys or hashes.
    for (const key of Object.values(created.apiKeys)) expect(run.stdout).not.toContain(key);
  });
});

describe("regulars tenant set-language", () => {
  it("sets the language customers are written to, and refuses what is not a language tag", async () => {
    const set = await regulars("tenant", "set-language", "--tenant", created.tenantId, "--language", "pl");
    expect(set.code, set.stderr).toBe(0);
    expect(set.stdout).toMatch(/now writes to its customers in pl/);
    expect((await db.tenant.findUniqueOrThrow({ where: { id: created.tenantId } })).language).toBe("pl");

    const bad = await regulars("tenant", "set-language", "--tenant", created.tenantId, "--language", "Polish");
    expect(bad.code).toBe(2); // the operator's to fix, as every refused flag
    expect(bad.stderr).toMatch(/"Polish" is not a language tag/);
    expect((await db.tenant.findUniqueOrThrow({ where: { id: created.tenantId } })).language).toBe("pl");
  });
});
