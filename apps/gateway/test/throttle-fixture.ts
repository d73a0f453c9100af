import { TransactionMessage } from "@regulars/contracts";
import type { Db, PoolReader } from "@regulars/db";
import { applyTransactionBatch } from "@regulars/ledger-store";
import { ProgrammeCache } from "@regulars/programme";
import { saleBody, testBus, testDb, testPoolReader } from "@regulars/testing";
import { afterAll, beforeAll } from "vitest";
import { createGatewayApp } from "../src/app.ts";
import { gatewayDeps, type TestBus, type TestGateway } from "./gateway-fixture.ts";

/**
 * An in-process gateway whose keys may try `unknownCodeLimit.limit` unknown coupon codes per window, on the test
 * database and a bus of its own, with a clock the tests move, and the calls the unknown-code tests make of it.
 */
export interface ThrottledGateway {
  db: Db;
  bus: TestBus;
  gateway: TestGateway;
  /** What the gateway and the ledger take for now: move it to pass (part of) the window. */
  clock: { now: Date };
  unknownCodeLimit: { limit: number; windowSeconds: number };
  post(path: string, key: string, body: unknown): Promise<{ status: number; retryAfter: string | null; body: any }>;
  /** A sale with `couponCodes` from a minute before the clock: inside the acceptance window however far it moved. */
  sale(couponCodes: string[], overrides?: Record<string, unknown>): ReturnType<typeof saleBody>;
  /** The sequence of the last message the transactions stream stored. */
  lastSeq(): Promise<number>;
  keyIdOf(tenantId: string, role: "pos" | "kiosk"): Promise<string>;
  /** The unknown codes counted against a key in its window, null if none ever were. */
  missesOf(tenantId: string, credentialId: string): Promise<number | null>;
  /** What the stream holds from `after` on, applied by the ledger as a worker would. */
  applyStoredSince(after: number): Promise<TransactionMessage[]>;
}

/**
 * Starts the gateway before the file's tests and takes it down after them. Call at the top of the file: `clock`,
 * `unknownCodeLimit` and the calls are there at once, `db`, `bus` and `gateway` once the file's first `beforeAll`
 * has run. With `reader` the posted codes are read as in production, through the quotes' pg pool.
 */
export function throttledGateway(opts: { windowSeconds?: number; reader?: boolean } = {}): ThrottledGateway {
  let reader: PoolReader | undefined;
  const fixture = {
    clock: { now: new Date() },
    unknownCodeLimit: { limit: 3, windowSeconds: opts.windowSeconds ?? 60 },
  } as ThrottledGateway;
  const { clock } = fixture;

  beforeAll(async () => {
    fixture.db = testDb();
    fixture.bus = await testBus();
    if (opts.reader) reader = await testPoolReader({ poolSize: 2 });
    fixture.gateway = createGatewayApp(
      gatewayDeps(fixture.db, fixture.bus, {
        db: fixture.db,
        ...(reader ? { reader } : {}),
        now: () => clock.now,
        unknownCodeLimit: fixture.unknownCodeLimit,
      }),
    );
  });
  afterAll(async () => {
    await fixture.gateway?.stop();
    await fixture.bus?.dispose();
    await reader?.close();
    await fixture.db?.$disconnect();
  });

  fixture.post = async (path, key, body) => {
    const res = await fixture.gateway.request(path, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
      body: JSON.stringify(body),
    });
    return { status: res.status, retryAfter: res.headers.get("retry-after"), body: (await res.json()) as any };
  };
  fixture.sale = (couponCodes, overrides = {}) =>
    saleBody({ couponCodes, occurredAt: new Date(clock.now.getTime() - 60_000).toISOString(), ...overrides });
  fixture.lastSeq = async () => {
    const { bus } = fixture;
    return (await bus.jsm.streams.info(bus.topology.streams.transactions)).state.last_seq;
  };
  fixture.keyIdOf = async (tenantId, role) =>
    (await fixture.db.apiKey.findFirstOrThrow({ where: { tenantId, role } })).id;
  fixture.missesOf = async (tenantId, credentialId) => {
    const [row] = await fixture.db.$queryRaw<{ misses: number }[]>`
      SELECT misses FROM coupon_code_misses WHERE tenant_id = ${tenantId} AND credential_id = ${credentialId}`;
    return row?.misses ?? null;
  };
  fixture.applyStoredSince = async (after) => {
    const { bus, db } = fixture;
    const stream = bus.topology.streams.transactions;
    const last = await fixture.lastSeq();
    const messages: TransactionMessage[] = [];
    for (let seq = after + 1; seq <= last; seq++) {
      const stored = await bus.jsm.streams.getMessage(stream, { seq });
      if (stored) messages.push(TransactionMessage.parse(stored.json()));
    }
    await applyTransactionBatch({ db, programmes: new ProgrammeCache(db, 0), now: () => clock.now }, messages);
    return messages;
  };
  return fixture;
}
