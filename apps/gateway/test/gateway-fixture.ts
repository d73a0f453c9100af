import type { Bus } from "@regulars/bus";
import { ProgrammeConfig, TransactionMessage } from "@regulars/contracts";
import { type Db, prismaReader, type SqlReader } from "@regulars/db";
import { newId } from "@regulars/ids";
import { applyTransactionBatch } from "@regulars/ledger-store";
import { createLogger } from "@regulars/logger";
import { ProgrammeCache } from "@regulars/programme";
import { CredentialCache } from "@regulars/tenancy";
import { testBus, testDb } from "@regulars/testing";
import { Registry } from "prom-client";
import { createGatewayApp, type GatewayDeps } from "../src/app.ts";

export type TestBus = Awaited<ReturnType<typeof testBus>>;
export type TestGateway = ReturnType<typeof createGatewayApp>;

/** What every in-process gateway here runs on: the test database's keys, read afresh each time, and no logs. */
export function gatewayDeps(db: Db, bus: Bus, extra: Partial<GatewayDeps> = {}): GatewayDeps {
  return {
    bus,
    credentials: new CredentialCache(db, 0),
    log: createLogger({ level: "silent" }),
    registry: new Registry(),
    readiness: {},
    ...extra,
  };
}

/**
 * An in-process gateway over the test database and a bus of its own, for a file's `beforeAll`; `extra` are the
 * deps the file's tests are about (a pinned clock, limits). The gateway is given the database (statuses, checkout,
 * customers) unless `withDb` is false: the routes that only publish are tested without it, as a gateway may run.
 * Deps that wrap the database or the bus (to run something in between) are made from them: pass a function.
 */
export async function startGateway(
  extra: Partial<GatewayDeps> | ((started: { db: Db; bus: TestBus }) => Partial<GatewayDeps>) = {},
  { withDb = true } = {},
) {
  const db = testDb();
  const bus = await testBus();
  const deps = typeof extra === "function" ? extra({ db, bus }) : extra;
  const gateway = createGatewayApp(gatewayDeps(db, bus, { ...(withDb ? { db } : {}), ...deps }));
  return { db, bus, gateway };
}

/** Takes down what `startGateway` started, for a file's `afterAll` (parts a failed `beforeAll` never set are skipped). */
export async function stopGateway(started: { db?: Db; bus?: TestBus; gateway?: TestGateway }): Promise<void> {
  await started.gateway?.stop();
  await started.bus?.dispose();
  await started.db?.$disconnect();
}

/** POSTs `body` as JSON to the gateway with an API key: the answer's status and parsed body. */
export async function postJson(
  gateway: TestGateway,
  key: string,
  path: string,
  body: unknown,
): Promise<{ status: number; body: any }> {
  const res = await gateway.request(path, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

/** Gives the tenant a programme of 1 point per 1.00, in force since the epoch, so its sales apply and earn. */
export async function baseRateProgramme(db: Db, tenantId: string): Promise<void> {
  await db.programmeVersion.create({
    data: {
      tenantId,
      version: 2,
      effectiveFrom: new Date(0),
      config: ProgrammeConfig.parse({ rules: [{ id: "base", type: "base_rate", pointsPerUnit: 1, unitMinor: 100 }] }),
      createdBy: "test",
    },
  });
}

/** The basket of a guest's hold of a free burger (`insertGuestHold`): a sale paying with the hold names these lines. */
export const guestHoldLines = [
  { sku: "BURGER", name: "Burger", tags: [], quantity: 1, unitPrice: 1500, discount: 1500 },
];

/** A guest's hold of a free burger (a coupon's) at store-017, as `placeHold` stores one; its id. */
export async function insertGuestHold(db: Db, tenantId: string, expiresAt: Date): Promise<string> {
  const holdId = newId("hold");
  const quote = {
    applied: [],
    lines: [{ lineNo: 0, sku: "BURGER", quantity: 1, discount: 1500, amount: 0 }],
    total: 0,
  };
  await db.$executeRaw`
    INSERT INTO checkout_holds (id, tenant_id, customer_id, status, wallet, quote, location_id, channel, expires_at)
    VALUES (${holdId}, ${tenantId}, NULL, 'held', 0, ${JSON.stringify(quote)}::jsonb, 'store-017', 'pos',
            ${expiresAt})`;
  return holdId;
}

/** The sequence of the last message the transactions stream stored. */
export async function lastStoredSeq(bus: TestBus): Promise<number> {
  return (await bus.jsm.streams.info(bus.topology.streams.transactions)).state.last_seq;
}

/** The last message the transactions stream stored, applied by the ledger as a worker would at the clock's now. */
export async function applyLastStored(db: Db, bus: TestBus, clock: { now: Date }): Promise<void> {
  const stream = bus.topology.streams.transactions;
  const stored = TransactionMessage.parse(
    (await bus.jsm.streams.getMessage(stream, { seq: await lastStoredSeq(bus) }))!.json(),
  );
  await applyTransactionBatch({ db, programmes: new ProgrammeCache(db, 0), now: () => clock.now }, [stored]);
}

/** Run, once, right after the gateway next read the holds that sales name (`holdsReadHook`); null for nothing. */
export interface AfterHoldsRead {
  run: (() => Promise<unknown>) | null;
}

/**
 * A reader of the test database for the gateway, the same but for `after.run`, run once the holds that sales name were
 * read: another request's sale, a void or the sweep in between the gateway's check of a hold and its claim.
 */
export function holdsReadHook(db: Db, after: AfterHoldsRead): SqlReader {
  const real = prismaReader(db);
  return {
    async rows(query) {
      const rows = await real.rows(query);
      const run = query.text.includes("JOIN checkout_holds h ON h.id = w.hold_id") ? after.run : null;
      if (run) {
        after.run = null;
        await run();
      }
      return rows as never;
    },
  };
}
