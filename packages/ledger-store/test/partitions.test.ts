import type { Db } from "@regulars/db";
import { holdTransaction, testDatabaseUrl, testDb, uniqueNamespace } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  adoptStream,
  advancePositions,
  applyTransactionBatch,
  claimPartitions,
  customerBalances,
  ensurePartitions,
  findBalanceDrift,
  heartbeat,
  LeaseLostError,
  lockPositions,
  partitionPositions,
  positionsCountIn,
  releasePartitions,
  renewLeases,
  retireWorker,
  StreamChangedError,
  tenantIssued,
} from "../src/index.ts";
import { base, ledgerDeps, line, tenantWithProgramme, txMessage } from "./batch-fixtures.ts";

let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

describe("leases", () => {
  it("gives each partition to one worker at a time, frees a dead worker's when its lease runs out", async () => {
    const ns = uniqueNamespace();
    await ensurePartitions(db, ns, 4);
    await ensurePartitions(db, ns, 4); // again at every start: changes nothing
    await expect(ensurePartitions(db, ns, 8)).rejects.toThrow(/LEDGER_PARTITIONS is 8/);

    const a = await claimPartitions(db, ns, "a", 3, 60_000);
    const b = await claimPartitions(db, ns, "b", 3, 60_000);
    expect(a.map((l) => l.partition)).toEqual([0, 1, 2]);
    expect(b.map((l) => l.partition)).toEqual([3]); // the rest is held
    expect((await renewLeases(db, ns, "a", 60_000)).map((l) => l.partition)).toEqual([0, 1, 2]);

    await releasePartitions(db, ns, "a", [2]);
    expect((await claimPartitions(db, ns, "b", 3, 60_000)).map((l) => l.partition)).toEqual([2]);

    // "a" stops renewing (a crash): once its leases run out, they are anyone's.
    await db.$executeRaw`UPDATE ledger_partitions SET lease_until = now() - interval '1 second' WHERE namespace = ${ns} AND holder = 'a'`;
    expect(await renewLeases(db, ns, "a", 60_000)).toEqual([]);
    expect((await claimPartitions(db, ns, "c", 4, 60_000)).map((l) => l.partition)).toEqual([0, 1]);
  });

  it("counts the workers alive; one that stops cleanly stops counting and gives its partitions back at once", async () => {
    const ns = uniqueNamespace();
    await ensurePartitions(db, ns, 2);
    expect(await heartbeat(db, ns, "a", 10_000)).toBe(1);
    expect(await heartbeat(db, ns, "b", 10_000)).toBe(2);
    await claimPartitions(db, ns, "a", 2, 60_000);
    await retireWorker(db, ns, "a");
    expect(await heartbeat(db, ns, "b", 10_000)).toBe(1);
    expect((await claimPartitions(db, ns, "b", 2, 60_000)).map((l) => l.partition)).toEqual([0, 1]);
    await heartbeat(db, ns, "a", 10_000);
    await db.$executeRaw`UPDATE ledger_workers SET seen_at = now() - interval '11 seconds' WHERE namespace = ${ns} AND worker = 'a'`;
    expect(await heartbeat(db, ns, "b", 10_000)).toBe(1);
  });

  it("of two processes starting at once with different partition counts, refuses one", async () => {
    // Counted apart, both counts found no rows and both were written: 32 rows, every later start refused or not
    // depending on its count. Ten tries, since the two only collide now and then.
    for (let round = 0; round < 10; round++) {
      const ns = uniqueNamespace();
      const started = await Promise.allSettled([ensurePartitions(db, ns, 16), ensurePartitions(db, ns, 32)]);
      const accepted = started.flatMap((s, i) => (s.status === "fulfilled" ? [[16, 32][i]] : []));
      expect(accepted).toHaveLength(1);
      expect(await db.ledgerPartition.count({ where: { namespace: ns } })).toBe(accepted[0]);
    }
  });
});

describe("renewing while a batch is applied", () => {
  it("passes over the partition the batch has locked, which the batch's commit extends", async () => {
    const ns = uniqueNamespace();
    await ensurePartitions(db, ns, 2);
    await claimPartitions(db, ns, "a", 2, 60_000);
    // Both leases close to running out.
    await db.$executeRaw`UPDATE ledger_partitions SET lease_until = now() + interval '3 seconds' WHERE namespace = ${ns}`;
    const leaseLeft = async () =>
      new Map(
        (
          await db.$queryRaw<{ partition: number; left_s: number }[]>`
            SELECT partition, extract(epoch FROM lease_until - now())::float8 AS left_s FROM ledger_partitions WHERE namespace = ${ns}`
        ).map((r) => [r.partition, r.left_s]),
      );

    // A batch of worker "a" holds partition 1's position ...
    const batch = await holdTransaction(
      testDatabaseUrl(),
      (tx) => lockPositions(tx, { namespace: ns, worker: "a" }, [1]),
      (tx) => advancePositions(tx, { namespace: ns, worker: "a", leaseMs: 60_000 }, new Map([[1, 5]])),
    );
    try {
      // ... and the renewal does not wait for it: partition 0 is renewed, 1 still counts as held.
      const timedOut = new Promise<"waited">((r) => setTimeout(() => r("waited"), 5_000).unref());
      const renewed = await Promise.race([renewLeases(db, ns, "a", 60_000), timedOut]);
      expect(renewed).not.toBe("waited");
      expect((renewed as { partition: number }[]).map((l) => l.partition)).toEqual([0, 1]);
      const during = await leaseLeft();
      expect(during.get(0)).toBeGreaterThan(50);
      expect(during.get(1)).toBeLessThan(4);
    } finally {
      await batch.commit();
    }
    // The batch's commit moved the position and extended the lease.
    expect((await partitionPositions(db, ns)).get(1)).toBe(5);
    expect((await leaseLeft()).get(1)).toBeGreaterThan(50);
  });
});

describe("positions move with the batch that applied them", () => {
  it("skips what a previous holder applied, and applies nothing for a worker whose lease is gone", async () => {
    const ns = uniqueNamespace();
    await ensurePartitions(db, ns, 2);
    const tenant = await tenantWithProgramme(db, { rules: [base] });
    const sales = [1, 2, 3].map(() =>
      txMessage(tenant, { customer: { phone: "+48720000001" }, lines: [line("MEAL", 1_000)] }),
    );
    const sources = sales.map((_, i) => ({ partition: 1, seq: 10 + i, subject: "x" }));
    await claimPartitions(db, ns, "a", 2, 60_000);

    await applyTransactionBatch(ledgerDeps(db), sales.slice(0, 2), {
      sources: sources.slice(0, 2),
      guard: { namespace: ns, worker: "a", leaseMs: 60_000 },
    });
    expect((await partitionPositions(db, ns)).get(1)).toBe(11);

    // "a" dies; "b" takes the partition over and reads again from 10: the first two are skipped.
    await db.$executeRaw`UPDATE ledger_partitions SET lease_until = now() - interval '1 second' WHERE namespace = ${ns}`;
    await claimPartitions(db, ns, "b", 2, 60_000);
    await applyTransactionBatch(ledgerDeps(db), sales, {
      sources,
      guard: { namespace: ns, worker: "b", leaseMs: 60_000 },
    });
    expect((await partitionPositions(db, ns)).get(1)).toBe(12);
    const customer = await db.customer.findFirstOrThrow({ where: { tenantId: tenant } });
    expect((await customerBalances(db, tenant, customer.id)).points).toBe(30);

    // "a" wakes up with a batch in hand: refused as a whole, nothing applied.
    const stale = txMessage(tenant, { customer: { phone: "+48720000001" }, lines: [line("MEAL", 9_000)] });
    await expect(
      applyTransactionBatch(ledgerDeps(db), [stale], {
        sources: [{ partition: 1, seq: 13, subject: "x" }],
        guard: { namespace: ns, worker: "a", leaseMs: 60_000 },
      }),
    ).rejects.toBeInstanceOf(LeaseLostError);
    expect((await customerBalances(db, tenant, customer.id)).points).toBe(30);
    expect((await partitionPositions(db, ns)).get(1)).toBe(12);
  });
});

describe("positions count in one stream", () => {
  const setPositions = (ns: string, seq: number) =>
    db.$executeRaw`UPDATE ledger_partitions SET applied_seq = ${seq} WHERE namespace = ${ns}`;

  /** What the stream says of the positions it is shown, and what it was shown. */
  const streamSaying = (madeAnew: boolean) => {
    const shown: Map<number, number>[] = [];
    const ask = async (positions: Map<number, number>) => {
      shown.push(positions);
      return madeAnew;
    };
    return Object.assign(ask, { shown });
  };

  it("positions of no stream yet are the stream's; those of another go back to 0 if it was made anew", async () => {
    const ns = uniqueNamespace();
    await ensurePartitions(db, ns, 3);
    await setPositions(ns, 40); // recorded before streams were told apart
    const unasked = streamSaying(true);
    expect(await adoptStream(db, ns, "stream-1", unasked)).toEqual([]);
    expect([...(await partitionPositions(db, ns)).values()]).toEqual([40, 40, 40]);
    expect(await adoptStream(db, ns, "stream-1", unasked)).toEqual([]); // again at every start: changes nothing
    expect(unasked.shown).toEqual([]);
    expect(await positionsCountIn(db, ns, "stream-1")).toBe(true);

    // The stream is made anew: its sequences start at 1 again, and every position is read from its start.
    expect(await positionsCountIn(db, ns, "stream-2")).toBe(false);
    const anew = streamSaying(true);
    expect(await adoptStream(db, ns, "stream-2", anew)).toEqual([0, 1, 2]);
    expect(anew.shown).toEqual([
      new Map([
        [0, 40],
        [1, 40],
        [2, 40],
      ]),
    ]);
    expect([...(await partitionPositions(db, ns)).values()]).toEqual([0, 0, 0]);
    expect(await positionsCountIn(db, ns, "stream-2")).toBe(true);
  });

  it("keeps the positions when only the stream's creation time changed", async () => {
    const ns = uniqueNamespace();
    await ensurePartitions(db, ns, 2);
    await adoptStream(db, ns, "stream-1", streamSaying(true));
    await setPositions(ns, 25);
    expect(await adoptStream(db, ns, "stream-1-rewritten", streamSaying(false))).toEqual([]);
    expect([...(await partitionPositions(db, ns)).values()]).toEqual([25, 25]);
    expect(await positionsCountIn(db, ns, "stream-1-rewritten")).toBe(true);
  });

  it("refuses a batch read from another stream than its partitions' positions count in, applying nothing", async () => {
    const ns = uniqueNamespace();
    await ensurePartitions(db, ns, 2);
    await adoptStream(db, ns, "stream-2", async () => true);
    await claimPartitions(db, ns, "a", 2, 60_000);
    const tenant = await tenantWithProgramme(db, { rules: [base] });
    const sale = txMessage(tenant, { customer: { phone: "+48740000001" }, lines: [line("MEAL", 1_000)] });
    const guard = { namespace: ns, worker: "a", leaseMs: 60_000 };
    const sources = [{ partition: 1, seq: 7, subject: "x" }];
    const stale = applyTransactionBatch(ledgerDeps(db), [sale], { sources, guard: { ...guard, stream: "stream-1" } });
    await expect(stale).rejects.toBeInstanceOf(StreamChangedError);
    await expect(stale).rejects.toBeInstanceOf(LeaseLostError); // the worker drops the partition as for a lost lease
    expect(await db.transaction.count({ where: { tenantId: tenant } })).toBe(0);
    expect((await partitionPositions(db, ns)).get(1)).toBe(0);

    await applyTransactionBatch(ledgerDeps(db), [sale], { sources, guard: { ...guard, stream: "stream-2" } });
    expect(await db.transaction.count({ where: { tenantId: tenant } })).toBe(1);
    expect((await partitionPositions(db, ns)).get(1)).toBe(7);
  });
});

describe("the tenant's counter-account is shared out by partition", () => {
  it("workers of one tenant post to their own shares: one holding its share's lock never stops another", async () => {
    const ns = uniqueNamespace();
    await ensurePartitions(db, ns, 16);
    await claimPartitions(db, ns, "a", 8, 60_000); // 0-7
    await claimPartitions(db, ns, "b", 8, 60_000); // 8-15
    const tenant = await tenantWithProgramme(db, { rules: [base] });
    const sale = (phone: string) => txMessage(tenant, { customer: { phone }, lines: [line("MEAL", 1_000)] });
    await applyTransactionBatch(ledgerDeps(db), [sale("+48730000001")], {
      sources: [{ partition: 3, seq: 1, subject: "x" }],
      guard: { namespace: ns, worker: "a", leaseMs: 60_000 },
    });

    // Worker "a" is mid-batch, holding its share of the counter-account until it commits ...
    // Every counter-account row of the tenant there is so far: the one worker "a" posted to.
    const holder = await holdTransaction(
      testDatabaseUrl(),
      (tx) =>
        tx.$queryRaw`SELECT id FROM ledger_accounts WHERE tenant_id = ${tenant} AND owner LIKE 'tenant%' FOR UPDATE`,
    );
    try {
      // ... and worker "b" applies a batch of its own partition for the same tenant all the same.
      await applyTransactionBatch(ledgerDeps(db), [sale("+48730000002")], {
        sources: [{ partition: 9, seq: 2, subject: "x" }],
        guard: { namespace: ns, worker: "b", leaseMs: 60_000 },
      });
    } finally {
      await holder.commit();
    }
    const shares = await db.ledgerAccount.findMany({
      where: { tenantId: tenant, kind: "points_issued" },
      select: { owner: true, balance: true },
      orderBy: { owner: "asc" },
    });
    expect(shares.map((s) => [s.owner, Number(s.balance)])).toEqual([
      ["tenant:3", -10],
      ["tenant:9", -10],
    ]);
    expect(await tenantIssued(db, tenant, "points")).toBe(-20);
    expect(await findBalanceDrift(db, tenant)).toEqual([]);
  });
});
