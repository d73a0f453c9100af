import { describe, expect, it } from "vitest";
import { migrateDatabase } from "../src/index.ts";
import { scratchDatabases } from "./fixtures.ts";

const migration = "0067_profile_orders_voided";

const scratch = scratchDatabases();

describe(`migration ${migration}`, () => {
  it("marks the facts of sales their refunds voided before it, with those refunds, and no others", async () => {
    const { url, client } = await scratch.before(migration);
    await client.query("INSERT INTO tenants (id, name, timezone, currency) VALUES ('ten_a', 'A', 'UTC', 'EUR')");
    await client.query("INSERT INTO customers (id, tenant_id, created_via) VALUES ('cus_a', 'ten_a', 'pos')");
    // [id, type, refunds, total, lines: [price, refunded sale line]]
    const transactions: [string, "sale" | "refund", string | null, number, [number, number | null][]][] = [
      ["paid", "sale", null, 1_000, [[1_000, null]]],
      ["paid_r1", "refund", "paid", 600, [[600, 0]]],
      ["paid_r2", "refund", "paid", 400, [[400, 0]]],
      ["partly", "sale", null, 1_000, [[1_000, null]]],
      ["partly_r", "refund", "partly", 300, [[300, 0]]],
      [
        "points",
        "sale",
        null,
        0,
        [
          [0, null],
          [0, null],
        ],
      ],
      ["points_r1", "refund", "points", 0, [[0, 1]]],
      ["points_r2", "refund", "points", 0, [[0, 0]]],
      [
        "points_one",
        "sale",
        null,
        0,
        [
          [0, null],
          [0, null],
        ],
      ],
      ["points_one_r", "refund", "points_one", 0, [[0, 1]]],
    ];
    for (const [id, type, refundOf, total, lines] of transactions) {
      await client.query(
        `INSERT INTO transactions (id, tenant_id, external_id, type, refund_of, occurred_at, location_id, channel,
           customer_id, currency, total, discount_total, points_awarded, received_at)
         VALUES ($1, 'ten_a', $1, $2, $3, now(), 'store', 'pos', 'cus_a', 'EUR', $4, 0, 0, now())`,
        [id, type, refundOf, total],
      );
      for (const [lineNo, [amount, refundsLineNo]] of lines.entries())
        await client.query(
          `INSERT INTO transaction_lines (transaction_id, line_no, tenant_id, sku, name, tags, quantity, unit_price,
             discount, amount, refunds_line_no)
           VALUES ($1, $2, 'ten_a', 'SKU', 'Item', '{}', 1, 500, 500 - $3::bigint, $3, $4)`,
          [id, lineNo, amount, refundsLineNo],
        );
      await client.query(
        `INSERT INTO profile_orders (tenant_id, transaction_id, customer_id, kind, occurred_at, value, location_id,
           channel, daypart, item_count)
         VALUES ('ten_a', $1, 'cus_a', $2, now(), $3, 'store', 'pos', 'lunch', 1)`,
        [id, type, total],
      );
    }

    expect((await migrateDatabase(url)).applied).toContain(migration);

    const marked = await client.query(
      'SELECT transaction_id FROM profile_orders WHERE voided ORDER BY transaction_id COLLATE "C"',
    );
    expect(marked.rows.map((r) => r.transaction_id)).toEqual([
      "paid",
      "paid_r1",
      "paid_r2",
      "points",
      "points_r1",
      "points_r2",
    ]);
  });
});
