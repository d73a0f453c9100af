import { describe, expect, it } from "vitest";
import { migrateDatabase } from "../src/index.ts";
import { scratchDatabases } from "./fixtures.ts";

const migration = "0060_tenant_on_every_row";

const scratch = scratchDatabases();

describe(`migration ${migration}`, () => {
  it("gives each saved campaign version and staff session the tenant of its campaign or staff member", async () => {
    const { url, client } = await scratch.before(migration);
    for (const t of ["ten_a", "ten_b"]) {
      await client.query("INSERT INTO tenants (id, name, timezone, currency) VALUES ($1, $1, 'UTC', 'EUR')", [t]);
      await client.query(
        `INSERT INTO campaigns (id, tenant_id, name, status, trigger_type, version, created_by)
         VALUES ($1, $2, 'Welcome', 'active', 'registered', 2, 'test')`,
        [`cmp_${t}`, t],
      );
      for (const version of [1, 2])
        await client.query(
          "INSERT INTO campaign_versions (campaign_id, version, definition, created_by) VALUES ($1, $2, '{}', 'test')",
          [`cmp_${t}`, version],
        );
      await client.query(
        "INSERT INTO staff_users (id, tenant_id, email, name, role, password_hash) VALUES ($1, $2, $3, 'Owner', 'owner', 'x')",
        [`stf_${t}`, t, `owner@${t}.test`],
      );
      await client.query(
        "INSERT INTO staff_sessions (token_hash, staff_id, csrf_token, expires_at) VALUES ($1, $2, 'csrf', now())",
        [`hash_${t}`, `stf_${t}`],
      );
    }

    expect((await migrateDatabase(url)).applied).toContain(migration);

    const versions = await client.query(
      "SELECT campaign_id, version, tenant_id FROM campaign_versions ORDER BY campaign_id, version",
    );
    expect(versions.rows).toEqual([
      { campaign_id: "cmp_ten_a", version: 1, tenant_id: "ten_a" },
      { campaign_id: "cmp_ten_a", version: 2, tenant_id: "ten_a" },
      { campaign_id: "cmp_ten_b", version: 1, tenant_id: "ten_b" },
      { campaign_id: "cmp_ten_b", version: 2, tenant_id: "ten_b" },
    ]);
    const sessions = await client.query("SELECT token_hash, tenant_id FROM staff_sessions ORDER BY token_hash");
    expect(sessions.rows).toEqual([
      { token_hash: "hash_ten_a", tenant_id: "ten_a" },
      { token_hash: "hash_ten_b", tenant_id: "ten_b" },
    ]);
  });
});
