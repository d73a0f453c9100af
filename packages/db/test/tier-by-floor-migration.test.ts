import { describe, expect, it } from "vitest";
import { migrateDatabase } from "../src/index.ts";
import { scratchDatabases } from "./fixtures.ts";

const byFloor = "0044_customer_loyalty_tier_by_floor";

const scratch = scratchDatabases();

describe(`migration ${byFloor}`, () => {
  it("marks as the floor's a tier a floor still there raised (audited, nothing changed since), or an unaudited one at its floor's level", async () => {
    const { url, client } = await scratch.before(byFloor);
    await client.query("INSERT INTO tenants (id, name, timezone, currency) VALUES ('ten_1', 'Floors', 'UTC', 'EUR')");
    // [customer, tier, tier_since (days ago), floor, floor ends (days ahead)]
    const rows: [string, string, number, string | null, number | null][] = [
      ["raised", "gold", 10, "gold", 20],
      ["lowered", "gold", 10, "silver", -5], // raised to gold, then the floor corrected to silver
      ["status_match", "gold", 60, "gold", -5], // gold by qualifying, then a gold floor (raised nothing)
      ["unaudited_at_level", "gold", 10, "gold", 20],
      ["unaudited_above", "gold", 10, "silver", 20],
      ["cleared", "gold", 200, null, null], // raised; the pass that cleared its ended floor judged gold and kept it
      ["requalified", "silver", 3, "silver", 20], // raised to gold once, qualified since for silver
    ];
    await client.query(
      `INSERT INTO customers (id, tenant_id, created_via) SELECT id, 'ten_1', 'pos' FROM unnest($1::text[]) id`,
      [rows.map((r) => r[0])],
    );
    for (const [id, tier, since, floor, until] of rows)
      await client.query(
        `INSERT INTO customer_loyalty (customer_id, tenant_id, tier, tier_since, tier_floor, tier_floor_until)
         VALUES ($1, 'ten_1', $2, now() - make_interval(days => $3), $4,
           CASE WHEN $5::int IS NULL THEN NULL ELSE now() + make_interval(days => $5::int) END)`,
        [id, tier, since, floor, until],
      );
    // [customer, tierBefore, tierAfter, days ago (plus a few seconds: the audit row follows the tier's write)]
    const audits: [string, string | null, string, number][] = [
      ["raised", "silver", "gold", 10],
      ["lowered", "silver", "gold", 10],
      ["lowered", "gold", "gold", 9],
      ["status_match", "gold", "gold", 40],
      ["cleared", null, "gold", 200],
      ["requalified", "bronze", "gold", 30],
    ];
    for (const [i, [id, before, after, days]] of audits.entries())
      await client.query(
        `INSERT INTO audit_log (id, tenant_id, actor, action, target, details, created_at)
         VALUES ($1, 'ten_1', 'key_admin', 'customers.setTierFloor', $2,
           jsonb_build_object('tierBefore', $3::text, 'tierAfter', $4::text),
           now() - make_interval(days => $5) + interval '2 seconds')`,
        [`aud_${i}`, id, before, after, days],
      );

    expect((await migrateDatabase(url)).applied).toContain(byFloor);

    const { rows: marked } = await client.query<{ customer_id: string; tier_by_floor: boolean }>(
      "SELECT customer_id, tier_by_floor FROM customer_loyalty ORDER BY customer_id",
    );
    expect(Object.fromEntries(marked.map((r) => [r.customer_id, r.tier_by_floor]))).toEqual({
      raised: true,
      lowered: true,
      status_match: false,
      unaudited_at_level: true,
      unaudited_above: false,
      cleared: false,
      requalified: false,
    });
  });
});
