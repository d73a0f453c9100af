import { describe, expect, it } from "vitest";
import { migrateDatabase } from "../src/index.ts";
import { scratchDatabases } from "./fixtures.ts";

const migration = "0059_card_numbers_upper_case";

const scratch = scratchDatabases();

describe(`migration ${migration}`, () => {
  it("gives a card one customer holds its upper-case identity, and leaves a card two customers hold in two cases", async () => {
    const { url, client } = await scratch.before(migration);
    await client.query("INSERT INTO tenants (id, name, timezone, currency) VALUES ('ten_1', 'Cards', 'UTC', 'EUR')");
    // [customer, card_number, card identities]
    const customers: [string, string | null, string[]][] = [
      ["cus_lower", "card-000417", ["card-000417"]],
      ["cus_upper", "CARD-000418", ["CARD-000418"]],
      // One card, two customers, two spellings: a merge for an admin to decide.
      ["cus_twin_a", "CARD-000419", ["CARD-000419"]],
      ["cus_twin_b", "card-000419", ["card-000419"]],
      // One customer holding two spellings (a merge moved one over): the card is theirs, in upper case.
      ["cus_both", "Card-000420", ["Card-000420", "card-000420"]],
      ["cus_also_upper", "card-000423", ["CARD-000423", "card-000423"]],
      // Only the column in another case than another customer's identity: contested too.
      ["cus_column", "card-000421", []],
      ["cus_identity", null, ["CARD-000421"]],
      // Contested, and nobody holds the upper-case spelling: left for an admin (the look-up finds the oldest).
      ["cus_lower_a", "card-000422", ["card-000422"]],
      ["cus_lower_b", "Card-000422", ["Card-000422"]],
    ];
    for (const [id, cardNumber, identities] of customers) {
      await client.query(
        "INSERT INTO customers (id, tenant_id, card_number, created_via) VALUES ($1, 'ten_1', $2, 'pos')",
        [id, cardNumber],
      );
      for (const value of identities)
        await client.query(
          "INSERT INTO customer_identities (tenant_id, kind, value, customer_id) VALUES ('ten_1', 'card', $1, $2)",
          [value, id],
        );
    }

    expect((await migrateDatabase(url)).applied).toContain(migration);

    const cards = await client.query<{ id: string; card_number: string | null; identities: string[] }>(
      `SELECT c.id, c.card_number, coalesce(array_agg(i.value ORDER BY i.value) FILTER (WHERE i.value IS NOT NULL), '{}') AS identities
       FROM customers c LEFT JOIN customer_identities i ON i.customer_id = c.id GROUP BY c.id ORDER BY c.id`,
    );
    expect(Object.fromEntries(cards.rows.map((r) => [r.id, [r.card_number, r.identities]]))).toEqual({
      cus_lower: ["CARD-000417", ["CARD-000417"]],
      cus_upper: ["CARD-000418", ["CARD-000418"]],
      cus_twin_a: ["CARD-000419", ["CARD-000419"]],
      cus_twin_b: ["card-000419", ["card-000419"]],
      cus_both: ["CARD-000420", ["CARD-000420"]],
      cus_also_upper: ["CARD-000423", ["CARD-000423"]],
      cus_column: ["card-000421", []],
      cus_identity: [null, ["CARD-000421"]],
      cus_lower_a: ["card-000422", ["card-000422"]],
      cus_lower_b: ["Card-000422", ["Card-000422"]],
    });
  });
});
