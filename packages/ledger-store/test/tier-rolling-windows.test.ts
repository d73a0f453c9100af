import { ProgrammeConfig } from "@regulars/contracts";
import { type Db, exactNumber, type RawTx, sqlArray, withTransaction } from "@regulars/db";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { qualifyingValues, type TierBasis } from "../src/accounts/qualifying.ts";
import { loadLoyaltyStates } from "../src/customers/loyalty-state.ts";
import { tenantWithCustomers } from "./fixtures.ts";

// A rolling window starts 12 months before each sale, so a customer's sales in one batch each have a window of their
// own. Their totals are the same as one `qualifyingStatement` per window gives, and are read in one statement whose
// size does not grow with the customer's sales in the batch (an arm per window read the year again for each).

let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

const DAY = 86_400_000;
const WARSAW = "Europe/Warsaw";
const config = (basis: TierBasis) =>
  ProgrammeConfig.parse({
    tiers: {
      basis,
      window: "rolling_12_months",
      levels: [
        { id: "bronze", name: "Bronze", threshold: 0 },
        { id: "gold", name: "Gold", threshold: 500 },
      ],
    },
  });

/** A deterministic generator (mulberry32): the same history every run, times relative to now. */
function random(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Two customers, one of them with a customer merged into it (its sales moved to the survivor, its movements kept under
 * its own id), each with sales over the last 15 months: earn movements, refunds in part or in full (some dated
 * before their sale), their negative reversals and the credits that give points back (which never count).
 */
async function history(now: number) {
  const { tenantId, customers } = await tenantWithCustomers(db, 3, "Rolling windows");
  const [survivor, other, merged] = customers as [string, string, string];
  await db.$executeRaw`INSERT INTO customer_merges (merged_id, tenant_id, into_id) VALUES (${merged}, ${tenantId}, ${survivor})`;
  const next = random(20261206);
  const txns: { id: string; type: string; refundOf: string | null; at: Date; customerId: string; total: number }[] = [];
  const moves: { id: string; customerId: string; kind: string; amount: number; txn: string; at: Date }[] = [];
  for (const [n, owner] of [survivor, other, merged].entries())
    for (let i = 0; i < 70; i++) {
      const sale = `s${n}_${i}`;
      const at = new Date(now - Math.floor(next() * 460 * DAY));
      const total = 100 + Math.floor(next() * 900);
      const customerId = owner === merged ? survivor : owner;
      txns.push({ id: sale, type: "sale", refundOf: null, at, customerId, total });
      moves.push({ id: `e_${sale}`, customerId: owner, kind: "earn", amount: Math.floor(total / 10), txn: sale, at });
      if (next() < 0.4) {
        const part = next() < 0.5 ? total : Math.floor(total * next());
        const refundAt = new Date(at.getTime() + Math.floor((next() - 0.4) * 60 * DAY));
        txns.push({ id: `r_${sale}`, type: "refund", refundOf: sale, at: refundAt, customerId, total: part });
        const reversal = { customerId: owner, kind: "reverse", txn: `r_${sale}`, at: refundAt };
        moves.push({ ...reversal, id: `v_${sale}`, amount: -Math.floor(part / 10) });
        moves.push({ ...reversal, id: `c_${sale}`, amount: 5 });
      }
    }
  await db.$executeRaw`
    INSERT INTO transactions (id, tenant_id, external_id, type, refund_of, occurred_at, location_id, channel, customer_id,
                              currency, total, discount_total, points_awarded, received_at)
    SELECT x.id || ${tenantId}, ${tenantId}, x.id, x.type, x.refund_of, x.at, 'store-1', 'pos', x.customer_id, 'EUR',
           x.total, 0, 0, now()
    FROM unnest(${sqlArray(txns.map((t) => t.id))}::text[], ${sqlArray(txns.map((t) => t.type))}::text[],
                ${sqlArray(txns.map((t) => t.refundOf))}::text[], ${sqlArray(txns.map((t) => t.at))}::timestamptz[],
                ${sqlArray(txns.map((t) => t.customerId))}::text[], ${sqlArray(txns.map((t) => t.total))}::bigint[])
      AS x(id, type, refund_of, at, customer_id, total)`;
  await db.$executeRaw`
    INSERT INTO ledger_movements (id, tenant_id, customer_id, kind, unit, amount, idempotency_key, transaction_id, occurred_at)
    SELECT x.id || ${tenantId}, ${tenantId}, x.customer_id, x.kind, 'points', x.amount, x.id, x.txn || ${tenantId}, x.at
    FROM unnest(${sqlArray(moves.map((m) => m.id))}::text[], ${sqlArray(moves.map((m) => m.customerId))}::text[],
                ${sqlArray(moves.map((m) => m.kind))}::text[], ${sqlArray(moves.map((m) => m.amount))}::bigint[],
                ${sqlArray(moves.map((m) => m.txn))}::text[], ${sqlArray(moves.map((m) => m.at))}::timestamptz[])
      AS x(id, customer_id, kind, amount, txn, at)`;
  return { tenantId, survivor, other, next };
}

/** Loads the states as a batch does, recording the statements taken after the loaded window's. */
async function load(tenantId: string, basis: TierBasis, timesOf: Map<string, string[]>) {
  const statements: { sql: string; values: unknown[] }[] = [];
  const ids = [...timesOf.keys()];
  const all = [...timesOf.values()].flat().sort();
  const result = await withTransaction(db, async (tx) => {
    const recording: RawTx = {
      ...tx,
      $queryRaw: ((...args: Parameters<RawTx["$queryRaw"]>) => {
        const q = args[0] as unknown as { sql?: string; values?: unknown[] };
        if (q?.sql) statements.push({ sql: q.sql, values: q.values ?? [] });
        return tx.$queryRaw(...args);
      }) as RawTx["$queryRaw"],
    };
    const states = await loadLoyaltyStates(recording, tenantId, ids, {
      config: config(basis),
      timezone: WARSAW,
      from: all[0]!,
      to: all.at(-1)!,
      toOf: new Map([...timesOf].map(([id, times]) => [id, [...times].sort().at(-1)!])),
      timesOf,
    });
    // Every window's total as `qualifyingStatement` gives it, one statement per window.
    const expected = new Map<string, number>();
    for (const [id, state] of states)
      for (const w of state.windowsByTime?.values() ?? []) {
        const [row] = await qualifyingValues(tx, tenantId, [id], basis, w.since);
        expected.set(`${id}/${w.since.getTime()}`, exactNumber(row?.value ?? 0));
      }
    return { states, expected };
  });
  return { ...result, statements };
}

it("gives every rolling window of a batch the total qualifyingStatement gives it, for every basis", async () => {
  const now = Date.now();
  const { tenantId, survivor, other, next } = await history(now);
  // Batch times within the last three months, some of them refunded sales' older times.
  const times = (n: number) =>
    Array.from({ length: n }, (_, i) =>
      new Date(now - Math.floor(next() * (i % 5 === 0 ? 300 : 90) * DAY)).toISOString(),
    );
  for (const basis of ["points_earned", "spend", "orders"] as const)
    for (let round = 0; round < 3; round++) {
      const timesOf = new Map([
        [survivor, times(30)],
        [other, times(20)],
      ]);
      const { states, expected } = await load(tenantId, basis, timesOf);
      let windows = 0;
      for (const [id, state] of states)
        for (const w of state.windowsByTime?.values() ?? []) {
          windows++;
          expect({ basis, id, since: w.since, total: w.qualifying }).toEqual({
            basis,
            id,
            since: w.since,
            total: expected.get(`${id}/${w.since.getTime()}`),
          });
        }
      expect(windows).toBeGreaterThan(10);
    }
});

it("reads the other windows in one statement that does not grow with the customer's sales in the batch", async () => {
  const now = Date.now();
  const { tenantId, survivor, other } = await history(now);
  const batch = (n: number) =>
    new Map(
      [survivor, other].map((id, c) => [
        id,
        Array.from({ length: n }, (_, k) => new Date(now - 3_600_000 + c * 1000 + k * 7).toISOString()),
      ]),
    );
  const few = await load(tenantId, "points_earned", batch(3));
  const many = await load(tenantId, "points_earned", batch(60));
  // The states, the loaded windows' totals, then one statement for every other window.
  expect(many.statements.length).toBe(few.statements.length);
  const [fewOthers, manyOthers] = [few.statements.at(-1)!, many.statements.at(-1)!];
  expect(manyOthers.sql.length).toBe(fewOthers.sql.length);
  expect(manyOthers.values.length).toBe(fewOthers.values.length);
});
