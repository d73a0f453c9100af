import { EventMessage, TransactionMessage } from "@regulars/contracts";
import { createPoolReader, type Db } from "@regulars/db";
import { applyEventBatch, applyTransactionBatch } from "@regulars/ledger-store";
import { ProgrammeCache } from "@regulars/programme";
import type { CreatedTenant } from "@regulars/tenancy";
import { testBus, testDb, testTenant } from "@regulars/testing";
import { afterAll, beforeAll, expect } from "vitest";
import { createGatewayApp } from "../src/app.ts";
import { baseRateProgramme, gatewayDeps, type TestBus, type TestGateway } from "./gateway-fixture.ts";

export const day = 86_400_000;
export const dayAgo = () => new Date(Date.now() - day).toISOString();
/** Until JetStream has forgotten the message ids (its window is a second): no answer is timed, only waited for. */
export const pastDuplicateWindow = () => new Promise((resolve) => setTimeout(resolve, 2_500));

/**
 * An in-process gateway on a bus whose JetStream duplicate window is a second (an hour in production), for a tenant of
 * its own, and the calls the retry-past-the-window tests make of it on one stream (`events` or `transactions`).
 */
export interface PastWindowGateway {
  db: Db;
  bus: TestBus;
  tenant: CreatedTenant;
  gateway: TestGateway;
  /** POSTs `body` to `path` with the tenant's till key, on `app` (the fixture's gateway unless given another). */
  post(path: string, body: unknown, app?: TestGateway): Promise<{ status: number; body: any }>;
  /** The sequence of the last message the stream stored. */
  lastSeq(): Promise<number>;
  /** The ledger decides what the gateway stored after `seq`, as its workers would, each message to the end. */
  applyStoredAfter(seq: number): Promise<void>;
  /** Runs `use` with a second gateway on the same bus whose Postgres reads all fail (an outage), then stops it. */
  withBlindGateway(use: (blind: TestGateway) => Promise<void>): Promise<void>;
}

/**
 * Starts the gateway before the file's tests and takes it down after them; call at the top of the file: the calls are
 * there at once, `db`, `bus`, `tenant` and `gateway` once the file's first `beforeAll` has run. With `baseRate` the
 * tenant earns 1 point per 1.00, so its sales apply.
 */
export function pastWindowGateway(opts: {
  tenantName: string;
  stream: "events" | "transactions";
  baseRate?: boolean;
}): PastWindowGateway {
  const fixture = {} as PastWindowGateway;

  beforeAll(async () => {
    fixture.db = testDb();
    fixture.bus = await testBus({ duplicateWindowMs: 1_000 });
    fixture.gateway = createGatewayApp(gatewayDeps(fixture.db, fixture.bus, { db: fixture.db }));
    fixture.tenant = await testTenant(fixture.db, opts.tenantName);
    if (opts.baseRate) await baseRateProgramme(fixture.db, fixture.tenant.tenantId);
  });
  afterAll(async () => {
    await fixture.gateway?.stop();
    await fixture.bus?.dispose();
    await fixture.db?.$disconnect();
  });

  fixture.post = async (path, body, app = fixture.gateway) => {
    const res = await app.request(path, {
      method: "POST",
      headers: { authorization: `Bearer ${fixture.tenant.apiKeys.pos}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as any };
  };
  const stream = () => fixture.bus.topology.streams[opts.stream];
  fixture.lastSeq = async () => (await fixture.bus.jsm.streams.info(stream())).state.last_seq;
  fixture.applyStoredAfter = async (seq) => {
    const { db, bus } = fixture;
    const stored: unknown[] = [];
    for (let s = seq + 1; s <= (await fixture.lastSeq()); s++) {
      stored.push(JSON.parse((await bus.jsm.streams.getMessage(stream(), { seq: s }))!.string()));
    }
    const programmes = new ProgrammeCache(db, 0);
    const decided =
      opts.stream === "events"
        ? await applyEventBatch(
            db,
            programmes,
            stored.map((m) => EventMessage.parse(m)),
          )
        : await applyTransactionBatch(
            { db, programmes, now: () => new Date() },
            stored.map((m) => TransactionMessage.parse(m)),
          );
    expect(decided.outcomes.map((o) => o.kind)).toEqual(stored.map(() => "done"));
  };
  fixture.withBlindGateway = async (use) => {
    const unreachable = createPoolReader({ url: "postgresql://postgres@127.0.0.1:1/none", poolSize: 1 });
    const blind = createGatewayApp(gatewayDeps(fixture.db, fixture.bus, { db: fixture.db, reader: unreachable }));
    try {
      await use(blind);
    } finally {
      await blind.stop();
      await unreachable.close().catch(() => {});
    }
  };
  return fixture;
}
