import type { Db } from "@regulars/db";
import { silentLogger } from "@regulars/logger";
import { ProgrammeCache } from "@regulars/programme";
import { testDatabaseUrl } from "@regulars/testing";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  applyTransactionBatch,
  customerBalances,
  findBalanceDrift,
  outboxEventsOf,
  releasePendingPoints,
} from "../src/index.ts";
import { base, ledgerDeps, line, refundOf, tenantWithProgramme, twoWorkerPools, txMessage } from "./batch-fixtures.ts";

/**
 * Two ledger instances, one redelivered batch: JetStream hands a message to a second worker when the
 * first one is slow to acknowledge. Each instance here has its own connection pool, as two processes do.
 */
let db: Db;
let other: Db;
let pools: Awaited<ReturnType<typeof twoWorkerPools>>;
beforeAll(async () => {
  pools = await twoWorkerPools();
  ({ db, other } = pools);
});
afterAll(() => pools?.close());

const programme = {
  rules: [base],
  stampCards: [{ id: "visits", name: "10th visit free", stampsRequired: 10, rewardPoints: 100 }],
  tiers: {
    basis: "points_earned",
    window: "lifetime",
    levels: [
      { id: "bronze", name: "Bronze", threshold: 0 },
      { id: "silver", name: "Silver", threshold: 200, benefits: { rewardPoints: 10 } },
      { id: "gold", name: "Gold", threshold: 500, benefits: { rewardPoints: 25 } },
    ],
  },
  milestones: [100, 300],
};

/** Everything a batch leaves behind for a tenant, in a form two tenants can be compared by. */
async function outcome(tenantId: string) {
  const customers = await db.customer.findMany({
    where: { tenantId },
    orderBy: { phone: "asc" },
    select: { id: true, phone: true },
  });
  const perCustomer = [];
  for (const c of customers) {
    const movements = await db.ledgerMovement.findMany({
      where: { tenantId, customerId: c.id },
      select: { kind: true, amount: true, reason: true },
    });
    const stamps = await db.stampCardProgress.findMany({
      where: { customerId: c.id },
      select: { cardId: true, stamps: true, completed: true },
    });
    const loyalty = await db.customerLoyalty.findUnique({ where: { customerId: c.id }, select: { tier: true } });
    const crossings = await db.milestoneCrossing.count({ where: { customerId: c.id } });
    perCustomer.push({
      phone: c.phone,
      balances: await customerBalances(db, tenantId, c.id),
      movements: movements.map((m) => `${m.kind} ${m.amount} ${m.reason ?? ""}`).sort(),
      stamps,
      tier: loyalty?.tier,
      crossings,
    });
  }
  // Events by type, however the batches that wrote them were cut.
  const events = new Map<string, number>();
  for (const e of await outboxEventsOf(db, tenantId)) events.set(e.type, (events.get(e.type) ?? 0) + 1);
  return {
    perCustomer,
    events: [...events].sort(([a], [b]) => (a < b ? -1 : 1)),
    transactions: await db.transaction.count({ where: { tenantId } }),
  };
}

const salesFor = (tenantId: string, phones: string[]) =>
  phones.flatMap((phone, k) =>
    Array.from({ length: 12 }, (_, i) =>
      txMessage(tenantId, { customer: { phone }, lines: [line("MEAL", 2_000 + 1_000 * k + 100 * i)] }),
    ),
  );

describe("the same messages in two ledger instances at once", () => {
  it("apply once: every stamp, tier reward, milestone and event exactly once, as if one worker had them", async () => {
    const tenant = await tenantWithProgramme(db, programme, "Race Burgers");
    const reference = await tenantWithProgramme(db, programme, "Reference Burgers");
    const phones = ["+48700000001", "+48700000002", "+48700000003"];
    // A first visit each, so the customers exist and their rows can be held below.
    for (const t of [tenant, reference])
      await applyTransactionBatch(
        ledgerDeps(db),
        phones.map((phone) => txMessage(t, { customer: { phone }, lines: [line("MEAL", 1_000)] })),
      );
    const messages = salesFor(tenant, phones);
    await applyTransactionBatch(ledgerDeps(db), salesFor(reference, phones)); // the same sales, applied once

    // Hold the customers, so both instances have read everything they read before taking the lock and
    // then queue on it: the first applies, the second must find that out under the lock.
    const holder = new pg.Client({ connectionString: testDatabaseUrl() });
    await holder.connect();
    await holder.query("BEGIN");
    await holder.query("SELECT id FROM customers WHERE tenant_id = $1 ORDER BY id FOR UPDATE", [tenant]);
    const inChunks = async (chunk: number) => {
      for (let i = 0; i < messages.length; i += chunk)
        await applyTransactionBatch(ledgerDeps(other), messages.slice(i, i + chunk));
    };
    // One instance takes the whole batch, the other the redelivered messages in smaller batches.
    const raced = Promise.all([applyTransactionBatch(ledgerDeps(db), messages), inChunks(5)]);
    await waitingOnLocks(holder, 2);
    await holder.query("COMMIT");
    await holder.end();
    await raced;

    const [after, once] = await Promise.all([outcome(tenant), outcome(reference)]);
    expect(after.transactions).toBe(39);
    expect(after.perCustomer.map((c) => ({ ...c, phone: undefined }))).toEqual(
      once.perCustomer.map((c) => ({ ...c, phone: undefined })),
    );
    expect(after.events).toEqual(once.events);
    expect(after.perCustomer.every((c) => c.stamps[0]?.completed === 1 && c.stamps[0]?.stamps === 3)).toBe(true);
    expect(await findBalanceDrift(db, tenant)).toEqual([]);
  });
});

describe("releasing pending points races a refund", () => {
  it("releases what the lot holds once the refund took it back: reversed points never become spendable", async () => {
    const tenant = await tenantWithProgramme(db, { rules: [base], pendingDays: 14 }, "Pending Burgers");
    const sale = txMessage(tenant, { customer: { phone: "+48700000010" }, lines: [line("FEAST", 10_000)] });
    await applyTransactionBatch(ledgerDeps(db), [sale]);
    const customerId = (await db.customer.findFirstOrThrow({ where: { tenantId: tenant } })).id;
    expect(await customerBalances(db, tenant, customerId)).toMatchObject({ points: 0, pendingPoints: 100 });

    // Hold the customer's spendable account, as a refund in progress does, so both the refund and the
    // release queue behind it in that order; then let go.
    const holder = new pg.Client({ connectionString: testDatabaseUrl() });
    await holder.connect();
    await holder.query("BEGIN");
    await holder.query(
      "SELECT id FROM ledger_accounts WHERE tenant_id = $1 AND owner = $2 AND kind = 'points' FOR UPDATE",
      [tenant, customerId],
    );
    const refund = applyTransactionBatch(ledgerDeps(other), [refundOf(tenant, sale, [line("FEAST", 10_000)])]);
    await waitingOnLocks(holder, 1);
    const programmes = new ProgrammeCache(db, 0);
    const release = releasePendingPoints({
      db,
      log: silentLogger,
      tenantId: tenant,
      now: new Date(Date.now() + 15 * 86_400_000),
      programme: (await programmes.inForce(tenant, new Date()))!,
    });
    await waitingOnLocks(holder, 2);
    await holder.query("COMMIT");
    await holder.end();
    await Promise.all([refund, release]);

    expect(await customerBalances(db, tenant, customerId)).toMatchObject({ points: 0, pendingPoints: 0 });
    const lots = await db.pointLot.findMany({ where: { customerId } });
    expect(lots.map((l) => [Number(l.remaining), l.released])).toEqual([[0, true]]);
    expect(await findBalanceDrift(db, tenant)).toEqual([]);
  });
});

/**
 * Until `n` sessions wait behind the holder's lock, directly or behind another waiter. The holder asks inside its
 * transaction, where Postgres keeps the first reading of pg_stat_activity for the rest of the transaction: each
 * poll clears it, or a session that connected after the first poll would never be seen.
 */
async function waitingOnLocks(client: pg.Client, n: number) {
  for (let i = 0; i < 1_200; i++) {
    await client.query("SELECT pg_stat_clear_snapshot()");
    const { rows } = await client.query<{ n: number }>(`
      WITH RECURSIVE blocked(pid) AS (
        SELECT pid FROM pg_stat_activity WHERE pg_backend_pid() = ANY(pg_blocking_pids(pid))
        UNION SELECT a.pid FROM pg_stat_activity a JOIN blocked b ON b.pid = ANY(pg_blocking_pids(a.pid))
      ) SELECT count(*)::int AS n FROM blocked`);
    if (rows[0]!.n >= n) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`fewer than ${n} sessions ever waited on the lock`);
}
