import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runRegularsCli, testDatabaseUrl, testDb, testTenant } from "@regulars/testing";
import { afterAll, describe, expect, it } from "vitest";

// `pnpm regulars customers export | erase --customer <id merged away>` behaves as privacy.export and privacy.erase:
// the survivor's data is exported, and the erasure is refused, naming the account to erase.

const db = testDb();
const dataDir = mkdtempSync(join(tmpdir(), "regulars-customers-merged-cli-"));
const regulars = (...args: string[]) =>
  runRegularsCli(args, { DATABASE_URL: testDatabaseUrl(), REGULARS_DATA_DIR: dataDir, CLICKHOUSE_DATABASE: "gdpr" });

afterAll(async () => {
  await db.$disconnect();
  rmSync(dataDir, { recursive: true, force: true });
});

/** A till's customer merged into the app account that proved its phone: the phone moved to the account. */
async function mergedPair() {
  const { tenantId } = await testTenant(db);
  const tag = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  const [till, app] = [`cus_till${tag}`, `cus_app${tag}`];
  await db.customer.create({ data: { id: till, tenantId, createdVia: "pos" } });
  await db.customer.create({
    data: { id: app, tenantId, name: "Ola Nowak", email: "ola@example.org", phone: "+48601222444", createdVia: "app" },
  });
  await db.customerIdentity.create({ data: { tenantId, kind: "phone", value: "+48601222444", customerId: app } });
  await db.customerMerge.create({ data: { mergedId: till, tenantId, intoId: app } });
  return { tenantId, till, app };
}

// Each CLI run starts a process with its own embedded ClickHouse (several seconds on a loaded machine).
describe("regulars customers, by a merged-away id", () => {
  it("exports the account it was merged into, saying so", { timeout: 180_000 }, async () => {
    const { tenantId, till, app } = await mergedPair();

    const exported = await regulars("customers", "export", "--tenant", tenantId, "--customer", till);

    expect(exported.code, exported.stderr).toBe(0);
    expect(exported.stderr).toContain(`${till} was merged into ${app}`);
    const doc = JSON.parse(exported.stdout);
    expect(doc).toMatchObject({ customerId: app, resolvedFrom: till });
    expect(doc.postgres.customers).toEqual(
      expect.arrayContaining([expect.objectContaining({ id: app, name: "Ola Nowak" })]),
    );
    expect(doc.postgres.customer_identities).toEqual([expect.objectContaining({ value: "+48601222444" })]);
  });

  it("refuses the erasure, naming the account to erase, and erases nothing", { timeout: 180_000 }, async () => {
    const { tenantId, till, app } = await mergedPair();

    const run = await regulars("customers", "erase", "--tenant", tenantId, "--customer", till, "--confirm", till);

    expect(run.code).toBe(2); // the operator's to fix: erase the account named
    expect(run.stderr).toContain(`this customer was merged into ${app}; erase ${app}`);
    expect(await db.customer.findUniqueOrThrow({ where: { id: app } })).toMatchObject({
      name: "Ola Nowak",
      phone: "+48601222444",
      erasedAt: null,
    });
    expect((await db.customer.findUniqueOrThrow({ where: { id: till } })).erasedAt).toBeNull();
  });
});
