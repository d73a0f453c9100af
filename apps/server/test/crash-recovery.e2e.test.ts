import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { publishMany } from "@regulars/bus";
import { defaultProgramme } from "@regulars/contracts";
import { createDb, type Db } from "@regulars/db";
import { findBalanceDrift, outboxEventsOf } from "@regulars/ledger-store";
import { evaluateEarning } from "@regulars/rules";
import {
  eventually,
  minutesAgo,
  postedTransaction,
  testBus,
  testDatabaseUrl,
  testNatsUrl,
  testTenant,
} from "@regulars/testing";
import { ledgerBacklog } from "@regulars/workers";
import { afterAll, beforeAll, expect, it } from "vitest";
import { basketLines } from "./baskets.ts";

const mainPath = fileURLToPath(new URL("../src/main.ts", import.meta.url));
const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));

let db: Db;
let bus: Awaited<ReturnType<typeof testBus>>;
let dataDir: string;
const children: ChildProcess[] = [];

/** The ledger worker as its own OS process, so it can really be killed with SIGKILL. */
function startLedgerWorker(): ChildProcess {
  const child = spawn(process.execPath, ["--import", "tsx", mainPath, "--role", "workers"], {
    cwd: repoRoot,
    env: {
      ...process.env,
      DATABASE_URL: testDatabaseUrl(),
      NATS_URL: testNatsUrl(),
      REGULARS_NAMESPACE: bus.topology.namespace,
      REGULARS_DATA_DIR: dataDir,
      REGULARS_DEMO: "off",
      WORKERS: "ledger",
      WORKERS_PORT: "0",
      LEDGER_BATCH_SIZE: "50",
      LEDGER_LEASE_MS: "2000",
      LOG_LEVEL: "warn",
      LOG_FORMAT: "json",
    },
    stdio: ["ignore", "ignore", "inherit"],
  });
  children.push(child);
  return child;
}

const kill9 = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    child.once("exit", () => resolve());
    child.kill("SIGKILL");
  });

beforeAll(async () => {
  db = createDb({ url: testDatabaseUrl(), poolSize: 2 });
  bus = await testBus({ ackWaitMs: 2_000 });
  dataDir = mkdtempSync(join(tmpdir(), "regulars-crash-"));
});
afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
  await bus?.dispose();
  await db?.$disconnect();
  rmSync(dataDir, { recursive: true, force: true });
});

it("a ledger worker killed with SIGKILL mid-stream loses and doubles nothing once restarted", async () => {
  const tenant = await testTenant(db, "Crash Burgers");
  const total = 6_000;
  const phones = Array.from({ length: 150 }, (_, i) => `+4860070${String(i).padStart(4, "0")}`);
  const expected = new Map<string, number>();
  const messages = Array.from({ length: total }, (_, i) => {
    const phone = phones[i % phones.length]!;
    const lines = [
      {
        sku: "MEAL",
        name: "Meal",
        tags: [],
        quantity: 1 + (i % 3),
        unitPrice: 199 + ((i * 37) % 900),
        discount: i % 5 === 0 ? 50 : 0,
      },
    ];
    const transaction = {
      externalId: `crash-${i}`,
      type: "sale" as const,
      occurredAt: minutesAgo(10),
      locationId: "store-001",
      channel: "pos" as const,
      customer: { phone },
      currency: "EUR",
      lines,
      total: lines[0]!.quantity * lines[0]!.unitPrice - lines[0]!.discount,
      couponCodes: [],
    };
    expected.set(
      phone,
      (expected.get(phone) ?? 0) +
        evaluateEarning(
          defaultProgramme,
          transaction,
          { tier: null, dateOfBirth: null, earnedToday: 0 },
          "Europe/Warsaw",
        ).points,
    );
    return postedTransaction(bus.topology, tenant.tenantId, transaction);
  });
  // Also redeliver 300 of them under new message ids, as a retry after the duplicate window would.
  const replays = messages.slice(0, 300).map((m) => ({ ...m, msgId: `${m.msgId}:late-retry` }));
  await publishMany(bus.js, [...messages, ...replays]);

  const stored = () => db.transaction.count({ where: { tenantId: tenant.tenantId } });
  let worker = startLedgerWorker();
  for (const threshold of [total * 0.25, total * 0.6]) {
    await eventually(
      `${threshold} transactions stored`,
      async () => ((await stored()) >= threshold ? true : undefined),
      60_000,
      10,
    );
    await kill9(worker);
    const atKill = await stored();
    expect(atKill).toBeLessThan(total); // the kill really happened mid-stream
    worker = startLedgerWorker();
  }
  await eventually(
    "backlog drained",
    async () => ((await ledgerBacklog(bus, db)) === 0 ? true : undefined),
    90_000,
    200,
  );
  await kill9(worker);

  expect(await stored()).toBe(total);
  const balances = await db.$queryRaw<{ phone: string; balance: number }[]>`
    SELECT c.phone, a.balance::int AS balance FROM customers c JOIN ledger_accounts a ON a.owner = c.id AND a.kind = 'points'
    WHERE c.tenant_id = ${tenant.tenantId}`;
  expect(new Map(balances.map((b) => [b.phone, b.balance]))).toEqual(expected);
  expect(await db.customer.count({ where: { tenantId: tenant.tenantId } })).toBe(phones.length);
  const earning = [...expected.values()].reduce((a, b) => a + b, 0);
  const movements = await db.ledgerMovement.aggregate({
    where: { tenantId: tenant.tenantId },
    _sum: { amount: true },
    _count: true,
  });
  expect(Number(movements._sum.amount)).toBe(earning);
  expect(movements._count).toBe(total); // every sale earned something: one movement each, never two
  expect(await db.ledgerEntry.count({ where: { tenantId: tenant.tenantId } })).toBe(2 * total);
  expect(await findBalanceDrift(db, tenant.tenantId)).toEqual([]);
}, 180_000); // two worker processes, a kill and a restart: slow when the suite runs files in parallel

it("with a full programme (caps, tiers, stamp cards, milestones), SIGKILL and restart still award every reward exactly once", async () => {
  const tenant = await testTenant(db, "Crash Full Burgers");
  const full = JSON.parse(readFileSync(new URL("../../../loadtests/programmes/full.json", import.meta.url), "utf8"));
  await db.programmeVersion.create({
    data: { tenantId: tenant.tenantId, version: 2, effectiveFrom: new Date(1), config: full, createdBy: "test" },
  });
  const total = 4_000;
  const phones = Array.from({ length: 60 }, (_, i) => `+4860080${String(i).padStart(4, "0")}`);
  const messages = Array.from({ length: total }, (_, i) => {
    const lines = basketLines(i);
    const day = 1 + (i % 20);
    const transaction = {
      externalId: `crash-full-${i}`,
      type: "sale" as const,
      occurredAt: `2026-12-${String(day).padStart(2, "0")}T12:00:00+01:00`,
      locationId: "store-002",
      channel: "kiosk" as const,
      customer: { phone: phones[i % phones.length]! },
      currency: "EUR",
      lines,
      total: lines.reduce((a, l) => a + l.quantity * l.unitPrice, 0),
      couponCodes: [],
    };
    return postedTransaction(bus.topology, tenant.tenantId, transaction);
  });
  await publishMany(bus.js, messages);

  const stored = () => db.transaction.count({ where: { tenantId: tenant.tenantId } });
  let worker = startLedgerWorker();
  for (const threshold of [total * 0.3, total * 0.7]) {
    await eventually(
      `${threshold} transactions stored`,
      async () => ((await stored()) >= threshold ? true : undefined),
      60_000,
      10,
    );
    await kill9(worker);
    expect(await stored()).toBeLessThan(total);
    worker = startLedgerWorker();
  }
  await eventually(
    "backlog drained",
    async () => ((await ledgerBacklog(bus, db)) === 0 ? true : undefined),
    90_000,
    200,
  );
  await kill9(worker);
  const t = tenant.tenantId;

  expect(await stored()).toBe(total);
  // Each sale's points were posted exactly once, as one earn movement of the amount it was awarded.
  const [mismatch] = await db.$queryRaw<{ mismatched: bigint }[]>`
    SELECT count(*) AS mismatched FROM transactions tr
    WHERE tr.tenant_id = ${t} AND tr.points_awarded <> coalesce((SELECT sum(m.amount) FROM ledger_movements m WHERE m.tenant_id = ${t} AND m.idempotency_key = 'tx:' || tr.id), 0)`;
  expect(Number(mismatch?.mismatched)).toBe(0);
  // Stamp cards: every visit stamped once, every completion rewarded once.
  const cards = await db.$queryRaw<
    { customer_id: string; card_id: string; stamps: number; completed: number; visits: bigint; coffees: bigint }[]
  >`
    SELECT p.customer_id, p.card_id, p.stamps, p.completed,
      (SELECT count(*) FROM transactions tr WHERE tr.customer_id = p.customer_id) AS visits,
      (SELECT coalesce(sum(l.quantity), 0) FROM transaction_lines l JOIN transactions tr ON tr.id = l.transaction_id WHERE tr.customer_id = p.customer_id AND l.category = 'beverages') AS coffees
    FROM stamp_card_progress p WHERE p.tenant_id = ${t}`;
  for (const c of cards) {
    if (c.card_id === "tenth-visit") expect(c.stamps + 10 * c.completed).toBe(Number(c.visits));
    else expect(c.stamps + 8 * c.completed).toBe(Number(c.coffees));
  }
  const stampBonus = await db.ledgerMovement.aggregate({
    where: { tenantId: t, idempotencyKey: { startsWith: "stamp:" } },
    _sum: { amount: true },
  });
  const expectedStampBonus = cards.reduce((a, c) => a + c.completed * (c.card_id === "tenth-visit" ? 100 : 40), 0);
  expect(Number(stampBonus._sum.amount ?? 0)).toBe(expectedStampBonus);
  expect(expectedStampBonus).toBeGreaterThan(0);
  // Tier rewards at most once per customer and tier; milestones announced once per recorded crossing.
  const tierRewards = await db.ledgerMovement.findMany({
    where: { tenantId: t, idempotencyKey: { startsWith: "tier-reward:" } },
    select: { idempotencyKey: true },
  });
  const perCustomerTier = tierRewards.map((r) => r.idempotencyKey.split(":").slice(1, 3).join(":"));
  expect(new Set(perCustomerTier).size).toBe(perCustomerTier.length);
  const crossings = await db.milestoneCrossing.count({ where: { tenantId: t } });
  expect((await outboxEventsOf(db, t, "points.milestone")).length).toBe(crossings);
  expect(crossings).toBeGreaterThan(0);
  const credits = await db.ledgerMovement.count({ where: { tenantId: t, amount: { gt: 0 }, unit: "points" } });
  expect((await outboxEventsOf(db, t, "points.earned")).length).toBe(credits);
  expect(await findBalanceDrift(db, t)).toEqual([]);
}, 180_000); // two worker processes, a kill and a restart: slow when the suite runs files in parallel
