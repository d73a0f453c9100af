import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runRegularsCli, testDatabaseUrl, testDb, testTenant } from "@regulars/testing";
import { afterAll, describe, expect, it } from "vitest";

// `pnpm regulars customers fold-phone-spellings`: a till's customer under `+480604100077` and the app's under
// `+48604100077` are one person; the command merges the first into the second, once.

const db = testDb();
const dataDir = mkdtempSync(join(tmpdir(), "regulars-fold-phone-cli-"));
const regulars = (...args: string[]) =>
  runRegularsCli(args, { DATABASE_URL: testDatabaseUrl(), REGULARS_DATA_DIR: dataDir });

afterAll(async () => {
  await db.$disconnect();
  rmSync(dataDir, { recursive: true, force: true });
});

async function splitPair() {
  const { tenantId } = await testTenant(db, "Fold CLI");
  const tag = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  const [till, app] = [`cus_till${tag}`, `cus_app${tag}`];
  await db.customer.create({ data: { id: till, tenantId, phone: "+480604100077", createdVia: "pos" } });
  await db.customer.create({ data: { id: app, tenantId, phone: "+48604100077", createdVia: "app" } });
  await db.customerIdentity.createMany({
    data: [
      { tenantId, kind: "phone", value: "+480604100077", customerId: till },
      { tenantId, kind: "phone", value: "+48604100077", customerId: app },
    ],
  });
  return { tenantId, till, app };
}

describe("regulars customers fold-phone-spellings", () => {
  it("lists on a dry run, merges the split pair, then merges nothing", { timeout: 180_000 }, async () => {
    const { tenantId, till, app } = await splitPair();

    const dry = await regulars("customers", "fold-phone-spellings", "--tenant", tenantId, "--dry-run");
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain(`${tenantId}: would merge ${till} (+480604100077) into ${app} (+48604100077)`);
    expect(await db.customerMerge.count({ where: { tenantId } })).toBe(0);

    const run = await regulars("customers", "fold-phone-spellings", "--tenant", tenantId);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain(`looking for split phone numbers in ${tenantId}`);
    expect(run.stdout).toContain(`${tenantId}: merged ${till} (+480604100077) into ${app} (+48604100077)`);
    expect(run.stdout).toContain("1 pair(s) merged");
    expect(await db.customerMerge.findMany({ where: { tenantId } })).toEqual([
      expect.objectContaining({ mergedId: till, intoId: app }),
    ]);

    const again = await regulars("customers", "fold-phone-spellings", "--tenant", tenantId);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toBe("0 pair(s) merged\n");
  });

  it("refuses a tenant that does not exist", { timeout: 180_000 }, async () => {
    const run = await regulars("customers", "fold-phone-spellings", "--tenant", "tn_nobody");
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("--tenant: no tenant tn_nobody");
  });
});
