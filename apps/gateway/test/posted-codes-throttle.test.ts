import { TransactionMessage } from "@regulars/contracts";
import type { Db } from "@regulars/db";
import { applyTransactionBatch } from "@regulars/ledger-store";
import { createLogger } from "@regulars/logger";
import { ProgrammeCache } from "@regulars/programme";
import { type CreatedTenant, CredentialCache } from "@regulars/tenancy";
import { saleBody, testBus, testDb, testTenant } from "@regulars/testing";
import { Registry } from "prom-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createGatewayApp } from "../src/app.ts";

/**
 * A till can learn which coupon codes exist from its sales' statuses as well as from quotes: the gateway reserves
 * a posted sale's unknown codes against its key before storing it (stamping the key and `codesCounted` on the
 * message, so the ledger does not count them again), and then refuses that key's sales with codes (429, or
 * `throttled` in a batch) until the window has passed.
 */
let db: Db;
let bus: Awaited<ReturnType<typeof testBus>>;
let tenant: CreatedTenant;
let gateway: ReturnType<typeof createGatewayApp>;
const clock = { now: new Date() };
const unknownCodeLimit = { limit: 3, windowSeconds: 60 };

beforeAll(async () => {
  db = testDb();
  bus = await testBus();
  tenant = await testTenant(db, "Code Guessing Till");
  gateway = createGatewayApp({
    bus,
    db,
    credentials: new CredentialCache(db, 0),
    log: createLogger({ level: "silent" }),
    registry: new Registry(),
    readiness: {},
    now: () => clock.now,
    unknownCodeLimit,
  });
});
afterAll(async () => {
  await gateway?.stop();
  await bus?.dispose();
  await db?.$disconnect();
});

const post = async (path: string, key: string, body: unknown) => {
  const res = await gateway.request(path, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
    body: JSON.stringify(body),
  });
  return { status: res.status, retryAfter: res.headers.get("retry-after"), body: (await res.json()) as any };
};
// A minute before the test's clock: inside the acceptance window however far the clock is moved.
const sale = (couponCodes: string[]) =>
  saleBody({ couponCodes, occurredAt: new Date(clock.now.getTime() - 60_000).toISOString() });

/** What the stream holds from `after` on, applied by the ledger as a worker would. */
async function applyStoredSince(after: number): Promise<TransactionMessage[]> {
  const stream = bus.topology.streams.transactions;
  const last = (await bus.jsm.streams.info(stream)).state.last_seq;
  const messages: TransactionMessage[] = [];
  for (let seq = after + 1; seq <= last; seq++) {
    const stored = await bus.jsm.streams.getMessage(stream, { seq });
    if (stored) messages.push(TransactionMessage.parse(stored.json()));
  }
  await applyTransactionBatch({ db, programmes: new ProgrammeCache(db, 0), now: () => clock.now }, messages);
  return messages;
}
const lastSeq = async () => (await bus.jsm.streams.info(bus.topology.streams.transactions)).state.last_seq;

const keyIdOf = async (tenantId: string, role: "pos" | "kiosk") =>
  (await db.apiKey.findFirstOrThrow({ where: { tenantId, role } })).id;
const missesOf = async (tenantId: string, credentialId: string) => {
  const [row] = await db.$queryRaw<{ misses: number }[]>`
    SELECT misses FROM coupon_code_misses WHERE tenant_id = ${tenantId} AND credential_id = ${credentialId}`;
  return row?.misses ?? null;
};

describe("sales posted with coupon codes", () => {
  it("count their unknown codes against the posting key once, when posted, and not again in the ledger", async () => {
    const till = tenant.apiKeys.pos;
    const tillKeyId = await keyIdOf(tenant.tenantId, "pos");
    const before = await lastSeq();
    expect((await post("/v1/transactions", till, sale(["GUESS-1AB", "GUESS-2AB"]))).status).toBe(202);
    const batch = await post("/v1/transactions/batch", till, { transactions: [sale(["GUESS-3AB"]), sale([])] });
    expect(batch).toMatchObject({ status: 202, retryAfter: null, body: { accepted: 2 } });

    expect(await missesOf(tenant.tenantId, tillKeyId)).toBe(3);
    const applied = await applyStoredSince(before);
    expect(applied.map((m) => m.credentialId)).toEqual([tillKeyId, tillKeyId, tillKeyId]);
    expect(await missesOf(tenant.tenantId, tillKeyId)).toBe(3);

    // The same count as the key's quotes: they wait too.
    clock.now = new Date(clock.now.getTime() + 15_000);
    const quote = await post("/v1/checkout/quote", till, {
      basket: { locationId: "store-001", channel: "pos", currency: "EUR", lines: sale([]).lines },
      couponCodes: ["GUESS-5AB"],
    });
    expect(quote).toMatchObject({ status: 429, retryAfter: "45", body: { code: "rate_limited" } });
  });

  it("are refused, alone 429 and in a batch one by one, while the key is over the limit; sales without codes never", async () => {
    const other = await testTenant(db, "Code Guessing Till Two");
    const till = other.apiKeys.pos;
    // What was counted of this key's earlier sales, 15 s ago.
    await db.$executeRaw`
      INSERT INTO coupon_code_misses (tenant_id, credential_id, window_started_at, misses)
      VALUES (${other.tenantId}, ${await keyIdOf(other.tenantId, "pos")}, ${new Date(clock.now.getTime() - 15_000)}, 3)`;
    const before = await lastSeq();

    const refused = await post("/v1/transactions", till, sale(["GUESS-4AB"]));
    expect(refused).toMatchObject({ status: 429, retryAfter: "45", body: { code: "rate_limited" } });
    expect(refused.body.message).toMatch(/unknown coupon codes.*sales without codes are not held up/);

    const mixed = await post("/v1/transactions/batch", till, { transactions: [sale(["GUESS-6AB"]), sale([])] });
    expect(mixed).toMatchObject({
      status: 202,
      retryAfter: "45",
      body: {
        accepted: 1,
        throttled: 1,
        results: [
          { index: 0, status: "throttled", retryAfterSeconds: 45, error: { code: "rate_limited" } },
          { index: 1, status: "accepted" },
        ],
      },
    });
    expect(mixed.body.results[0].id).toBeUndefined();
    expect((await post("/v1/transactions", till, sale([]))).status).toBe(202);
    expect((await post("/v1/transactions", other.apiKeys.kiosk, sale(["GUESS-7AB"]))).status).toBe(202);
    // Stored: the batch's sale without codes, the sale without codes, the kiosk's sale. Nothing refused was.
    expect((await lastSeq()) - before).toBe(3);

    clock.now = new Date(clock.now.getTime() + 45_000);
    expect((await post("/v1/transactions", till, sale(["GUESS-8AB"]))).status).toBe(202);
  });
});
