import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createCampaign, generateCampaignCodes } from "@regulars/checkout-store";
import type { Db } from "@regulars/db";
import { runRegularsCli, testDatabaseUrl, testDb, testTenant } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/** The CLI as operators run it, as a separate process against the test database. */
const regulars = (...args: string[]) => runRegularsCli(args, { DATABASE_URL: testDatabaseUrl() });

let db: Db;
let tenantId: string;
let dir: string;
const benefit = { kind: "fixed_off" as const, amount: 250 };

beforeAll(async () => {
  db = testDb();
  ({ tenantId } = await testTenant(db, "CLI Coupon Burgers"));
  dir = await mkdtemp(join(tmpdir(), "regulars-cli-coupons-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  await db?.$disconnect();
});

describe("regulars coupons", () => {
  it("imports a partner's file in pieces with progress, reports bad lines, and audits as cli", async () => {
    const c = await createCampaign(db, tenantId, { name: "Partner", benefit, codes: { kind: "imported" } }, "test");
    const codes = Array.from({ length: 25_000 }, (_, i) => `DELIVERY-${String(i).padStart(5, "0")}`);
    const file = join(dir, "partner.csv");
    await writeFile(file, `code\n${codes.join("\n")}\nbad code\nDELIVERY-00003\n`);

    const run = await regulars("coupons", "import", "--campaign", c.id, "--file", file);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/10,000 of 25,002 lines read\n20,000 of 25,002 lines read\n25,002 of 25,002 lines read/);
    expect(run.stdout).toContain(
      `imported 25,000 of 25,002 codes into ${c.id}: 1 invalid, 0 repeated, 1 already taken`,
    );
    // a repeat in a later piece is found as a code the campaign already has
    expect(run.stdout).toContain("line 25002: bad code: use 3-64 letters, digits or '-'");
    expect(run.stdout).toContain("line 25003: DELIVERY-00003: already a code of this campaign");
    expect(await db.couponCode.count({ where: { tenantId, campaignId: c.id } })).toBe(25_000);
    expect(await db.auditLog.count({ where: { tenantId, actor: "cli", action: "coupons.importCodes" } })).toBe(3);
  });

  it("exports a campaign's codes to a file or standard output", async () => {
    const c = await createCampaign(
      db,
      tenantId,
      { name: "Welcome", benefit, codes: { kind: "unique", pattern: "HELLO-XXXXXXXX" } },
      "test",
    );
    await generateCampaignCodes(db, tenantId, c.id, 12_000, "test");
    const file = join(dir, "welcome.csv");
    const toFile = await regulars("coupons", "export", "--campaign", c.id, "--file", file);
    expect(toFile.code, toFile.stderr).toBe(0);
    expect(toFile.stderr).toContain(`12,000 codes of ${c.id} exported to ${file}`);
    const [header, ...rows] = (await readFile(file, "utf8")).trimEnd().split("\n");
    expect(header).toBe("code,uses,max_uses,created_at");
    expect(rows).toHaveLength(12_000);

    const toStdout = await regulars("coupons", "export", "--campaign", c.id, "--tenant", tenantId);
    expect(toStdout.code, toStdout.stderr).toBe(0);
    expect(toStdout.stdout).toBe(await readFile(file, "utf8"));
  });

  it("names the flag and exits 2 for an unknown campaign, another tenant or a missing file", async () => {
    const c = await createCampaign(db, tenantId, { name: "Flags", benefit, codes: { kind: "imported" } }, "test");
    const unknown = await regulars("coupons", "export", "--campaign", "cpn_doesnotexist0000");
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/--campaign: no coupon campaign cpn_doesnotexist0000/);
    const wrongTenant = await regulars("coupons", "export", "--campaign", c.id, "--tenant", "ten_someoneelse");
    expect(wrongTenant.code).toBe(2);
    const missing = await regulars("coupons", "import", "--campaign", c.id, "--file", join(dir, "nope.csv"));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--file: .*nope\.csv does not exist/);
  });

  it("names an export --file it cannot write and exits 2, without a stack trace", async () => {
    const c = await createCampaign(db, tenantId, { name: "Nowhere", benefit, codes: { kind: "imported" } }, "test");
    const file = join(dir, "no-such-folder", "out.csv");
    const run = await regulars("coupons", "export", "--campaign", c.id, "--file", file);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`--file: cannot write ${file} (ENOENT)`);
    expect(run.stderr).not.toMatch(/^ {4}at /m);
    // Linux's /dev/full opens and then refuses every write (ENOSPC), as a disk that fills mid-export does.
    if (!existsSync("/dev/full")) return;
    const full = await regulars("coupons", "export", "--campaign", c.id, "--file", "/dev/full");
    expect(full.code).toBe(2);
    expect(full.stderr).toContain("--file: cannot write /dev/full (ENOSPC)");
    expect(full.stderr).not.toMatch(/^ {4}at /m);
  });
});
