import { TransactionInput } from "@regulars/contracts";
import { Prisma, type SqlReader } from "@regulars/db";
import { saleBody, testPoolReader } from "@regulars/testing";
import { describe, expect, it } from "vitest";
import { recordedAll } from "../src/recorded-before.ts";
import { recordedEventsAll } from "../src/recorded-events.ts";

/**
 * The look-ups' statements are planned once per connection (`planOnce`) and kept, often from when their tables were
 * nearly empty: their plan must probe each table by key per asked item, never scan or hash a whole table (a plan
 * that hashed `transaction_receipts` made Postgres's CPU per single POST grow with the table). The plan for any
 * values is read here as the gateway's look-up reader makes it.
 */
async function planOf(capture: (reader: SqlReader) => Promise<unknown>): Promise<string> {
  let statement: Prisma.Sql | undefined;
  await capture({
    rows: async <T>(query: Prisma.Sql) => {
      statement = query;
      return [] as T[];
    },
  });
  const reader = await testPoolReader({ poolSize: 1, planOnce: true });
  try {
    const types = statement!.values.map(() => "text[]").join(", ");
    // The values are array literals (`sqlArray`): spliced as text constants of the same type.
    const args = statement!.values.map((v) => `'${String(v).replaceAll("'", "''")}'::text[]`);
    const name = `plan_probe_${Date.now().toString(36)}`;
    await reader.rows(Prisma.raw(`PREPARE ${name}(${types}) AS ${statement!.text}`));
    const [row] = await reader.rows<{ "QUERY PLAN": unknown }>(
      Prisma.raw(`EXPLAIN (FORMAT JSON) EXECUTE ${name}(${args.join(", ")})`),
    );
    return JSON.stringify(row!["QUERY PLAN"]);
  } finally {
    await reader.close();
  }
}

/** The tables a plan reads whole (a sequential scan) or hashes (a hash join's inner side). */
const scannedWhole = (plan: string) =>
  [...plan.matchAll(/"Node Type":"Seq Scan"[^}]*?"Relation Name":"(\w+)"/g)].map((m) => m[1]);

describe("the look-ups' plans for any values", () => {
  it("probe each of the four tables of posted transactions by key, with no hash join", async () => {
    const sale = TransactionInput.parse(saleBody({ externalId: "plan-1" }));
    const plan = await planOf((reader) => recordedAll(reader, [{ tenantId: "ten_plan", items: [sale] }]));
    expect(plan).not.toContain('"Hash Join"');
    expect(scannedWhole(plan)).toEqual([]);
    for (const index of ["transactions_pkey", "parked_refunds_pkey", "transaction_receipts_pkey"])
      expect(plan).toContain(`"Index Name":"${index}"`);
  });

  it("probe applied events by key, with no hash join", async () => {
    const event = { eventId: "ev-plan-1", type: "profile_completed" } as never;
    const plan = await planOf((reader) => recordedEventsAll(reader, [{ tenantId: "ten_plan", items: [event] }]));
    expect(plan).not.toContain('"Hash Join"');
    expect(scannedWhole(plan)).toEqual([]);
    expect(plan).toContain('"Relation Name":"applied_events"');
  });
});
