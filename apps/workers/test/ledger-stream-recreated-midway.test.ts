import { ensureTopology, publishMany } from "@regulars/bus";
import { TransactionInput } from "@regulars/contracts";
import { createDb, type Db, isTransientDbError, type TransactionRunner, withTransaction } from "@regulars/db";
import { partitionPositions, positionsCountIn } from "@regulars/ledger-store";
import { createLogger, silentLogger } from "@regulars/logger";
import { ProgrammeCache } from "@regulars/programme";
import {
  eventually,
  postedTransaction,
  saleBody,
  startTcpProxy,
  type TcpProxy,
  testBus,
  testDatabaseUrl,
  testDb,
  testTenant,
} from "@regulars/testing";
import { afterEach, beforeEach, expect, it } from "vitest";
import { type RunningLedger, startPartitionedLedger } from "../src/index.ts";
import { streamCreated } from "../src/ledger/partition-leases.ts";

// The transactions stream made anew while a ledger worker runs, with something else going on at that moment: a
// Postgres blip while the worker adopts the new stream, or a batch of the old stream still in hand. Either way the
// new stream's sales must all be applied, without a restart (`ledger-stream-recreated.test.ts` has the plain cases).

let bus: Awaited<ReturnType<typeof testBus>>;
let db: Db;
let tenant: Awaited<ReturnType<typeof testTenant>>;
let ledger: RunningLedger | null = null;
let proxy: TcpProxy | null = null;
let proxiedDb: Db | null = null;
let phone = 0;

beforeEach(async () => {
  bus = await testBus();
  db = testDb();
  tenant = await testTenant(db, "Midway Grill");
});
afterEach(async () => {
  await proxy?.restore();
  await ledger?.stop();
  ledger = null;
  await proxiedDb?.$disconnect();
  await proxy?.close();
  proxy = proxiedDb = null;
  await bus?.dispose();
  await db?.$disconnect();
});

const nextPhone = () => `+4860066${String(phone++).padStart(4, "0")}`;
const sales = (n: number, customer = nextPhone) =>
  Array.from({ length: n }, () =>
    postedTransaction(
      bus.topology,
      tenant.tenantId,
      TransactionInput.parse(saleBody({ customer: { phone: customer() } })),
    ),
  );
const allApplied = (posted: ReturnType<typeof sales>) =>
  eventually(
    `${posted.length} sales of the new stream applied`,
    async () => {
      const ids = posted.map((s) => s.payload.transactionId);
      return (await db.transaction.count({ where: { id: { in: ids } } })) === ids.length ? true : undefined;
    },
    15_000,
  );
const recreateStream = async () => {
  await bus.jsm.streams.delete(bus.topology.streams.transactions);
  await ensureTopology(bus, { ackWaitMs: 2_000 });
};
const dependency = { name: "postgres", isTransient: isTransientDbError, probe: async () => true };

it("adopts a stream made anew even when the first adoption fails (Postgres unreachable just then)", async () => {
  const target = new URL(testDatabaseUrl());
  proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
  proxiedDb = createDb({ url: proxy.url(testDatabaseUrl()), poolSize: 4 });
  const warnings: { msg: string; time: number }[] = [];
  const log = createLogger({
    level: "warn",
    destination: { write: (line: string) => void warnings.push(JSON.parse(line)) },
  });
  ledger = await startPartitionedLedger({
    db: proxiedDb,
    bus,
    log,
    dependency,
    ledger: { db: proxiedDb, programmes: new ProgrammeCache(proxiedDb) },
    leaseMs: 1_500,
    lingerMs: 0,
  });
  await allApplied(await published(sales(3)));

  await proxy.refuse();
  await recreateStream();
  const recreatedAt = Date.now();
  // Two failed lease passes after the stream was made anew: the second began after the first ended, so it saw the
  // new stream and failed to adopt it.
  await eventually("two lease passes failed since", async () =>
    warnings.filter((w) => w.time >= recreatedAt && /ledger leases not/.test(w.msg)).length >= 2 ? true : undefined,
  );
  await proxy.restore();

  const anew = await published(sales(3));
  await eventually("the positions adopted the new stream", async () =>
    (await positionsCountIn(db, bus.topology.namespace, await streamCreated(bus))) ? true : undefined,
  );
  await allApplied(anew);
});

it("refuses a batch read from the old stream and applied once the new one is adopted, and applies the new one's", async () => {
  // The batch taken first waits, before its transaction, until released.
  let taken!: () => void;
  const inHand = new Promise<void>((resolve) => (taken = resolve));
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let runs = 0;
  const runner: TransactionRunner = {
    run: async <T>(fn: Parameters<TransactionRunner["run"]>[0]) => {
      if (++runs === 1) {
        taken();
        await released;
      }
      return withTransaction(db, async (tx) => (await fn(tx)) as T);
    },
    close: async () => {},
  };
  const regular = nextPhone();
  await publishMany(
    bus.js,
    sales(3, () => regular),
  );
  ledger = await startPartitionedLedger({
    db,
    bus,
    log: silentLogger,
    dependency,
    ledger: { db, programmes: new ProgrammeCache(db), transactions: runner },
    leaseMs: 1_500,
    lingerMs: 0,
  });
  await inHand;

  await recreateStream();
  const created = await streamCreated(bus);
  await eventually("the positions adopted the new stream", async () =>
    (await positionsCountIn(db, bus.topology.namespace, created)) ? true : undefined,
  );
  // One customer, one partition: the new stream's sales there are numbered 1-3, at or below the batch in hand's.
  const anew = await published(sales(3, () => regular));
  release();
  await allApplied(anew);
  // Nothing of the old stream moved a position: they count the new stream's three sales alone.
  expect(Math.max(...(await partitionPositions(db, bus.topology.namespace)).values())).toBe(3);
});

async function published(posted: ReturnType<typeof sales>) {
  await publishMany(bus.js, posted);
  return posted;
}
