import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runRegularsCli, testDatabaseUrl, testDb, testTenant } from "@regulars/testing";
import { afterAll, describe, expect, it } from "vitest";

// `pnpm regulars customers export | erase` over the real database and an embedded ClickHouse of its own.

const db = testDb();
const dataDir = mkdtempSync(join(tmpdir(), "regulars-customers-cli-"));
const regulars = (...args: string[]) =>
  runRegularsCli(args, { DATABASE_URL: testDatabaseUrl(), REGULARS_DATA_DIR: dataDir, CLICKHOUSE_DATABASE: "gdpr" });

afterAll(async () => {
  await db.$disconnect();
  rmSync(dataDir, { recursive: true, force: true });
});

// Each CLI run starts a process with its own embedded ClickHouse (several seconds on a loaded machine).
describe("regulars customers", () => {
  it("exports a customer as JSON, and erases them only with the id confirmed", { timeout: 180_000 }, async () => {
    const { tenantId } = await testTenant(db);
    const id = `cus_cli${Date.now()}`;
    await db.customer.create({
      data: { id, tenantId, name: "Ola Nowak", email: "ola@example.org", phone: "+48601222333", createdVia: "pos" },
    });

    const exported = await regulars("customers", "export", "--tenant", tenantId, "--customer", id);
    expect(exported.code, exported.stderr).toBe(0);
    const doc = JSON.parse(exported.stdout);
    expect(doc.postgres.customers).toEqual([expect.objectContaining({ id, name: "Ola Nowak" })]);
    expect(doc.clickhouse).toHaveProperty("events");

    const unconfirmed = await regulars("customers", "erase", "--tenant", tenantId, "--customer", id, "--confirm", "x");
    expect(unconfirmed.code).toBe(2);
    expect(unconfirmed.stderr).toContain("--confirm");

    const erased = await regulars("customers", "erase", "--tenant", tenantId, "--customer", id, "--confirm", id);
    expect(erased.code, erased.stderr).toBe(0);
    expect(JSON.parse(erased.stdout)).toMatchObject({ status: "erased", clickhousePending: false });
    expect(await db.customer.findUniqueOrThrow({ where: { id } })).toMatchObject({
      name: null,
      email: null,
      phone: null,
    });
    expect(await db.auditLog.findMany({ where: { tenantId }, select: { action: true, actor: true } })).toEqual(
      expect.arrayContaining([
        { action: "privacy.export", actor: "cli" },
        { action: "privacy.erase", actor: "cli" },
      ]),
    );
  });

  it("answers an unknown customer with an error the operator fixes (exit code 2)", { timeout: 180_000 }, async () => {
    const { tenantId } = await testTenant(db);
    const run = await regulars("customers", "export", "--tenant", tenantId, "--customer", "cus_nobody");
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("no customer cus_nobody");
  });

  it("writes an export over a file others could read as the owner's alone", { timeout: 180_000 }, async () => {
    const { tenantId } = await testTenant(db);
    const id = `cus_cliout${Date.now()}`;
    await db.customer.create({ data: { id, tenantId, name: "Ola", phone: "+48601222334", createdVia: "pos" } });
    const out = join(dataDir, "existing.json");
    writeFileSync(out, "old", { mode: 0o644 });
    chmodSync(out, 0o644);
    const run = await regulars("customers", "export", "--tenant", tenantId, "--customer", id, "--out", out);
    expect(run.code, run.stderr).toBe(0);
    expect(statSync(out).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(out, "utf8")).customerId).toBe(id);
  });
});
