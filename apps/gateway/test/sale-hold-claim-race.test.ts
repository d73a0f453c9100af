import { createDb, type Db, type PoolReader } from "@regulars/db";
import { claimHeldHolds, releaseExpiredHolds, voidHold } from "@regulars/ledger-store";
import { createLogger } from "@regulars/logger";
import { ProgrammeCache } from "@regulars/programme";
import type { CreatedTenant } from "@regulars/tenancy";
import { saleBody, startTcpProxy, type TcpProxy, testDatabaseUrl, testPoolReader, testTenant } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createGatewayApp } from "../src/app.ts";
import {
  type AfterHoldsRead,
  applyLastStored,
  baseRateProgramme,
  gatewayDeps,
  guestHoldLines,
  holdsReadHook,
  insertGuestHold,
  lastStoredSeq,
  startGateway,
  stopGateway,
  type TestBus,
  type TestGateway,
} from "./gateway-fixture.ts";

/**
 * A sale the gateway accepts just before its hold's expiry must find the hold still held when the ledger applies it,
 * however the publish and the sweep interleave: the gateway claims the hold before publishing the sale, so a sweep
 * run while the publish is in flight, past the expiry, leaves the claimed hold to its sale. And a sale is stored only
 * with its hold claimed: when the claim cannot be made, nothing is.
 */
const clock = { now: new Date() };
let db: Db;
let bus: TestBus;
let gateway: TestGateway;
let tenant: CreatedTenant;
/** Run, once, when the gateway next sends a message to NATS, before sending it: its publish is then in flight. */
let whilePublishing: (() => Promise<unknown>) | null = null;
/** A void or a sweep between the gateway's check of the holds that sales name and its claim of them. */
const afterHoldsRead: AfterHoldsRead = { run: null };

/** The gateway's own connection to NATS, the same but for `whilePublishing`: the message goes out once that ran. */
function publishHook(bus: TestBus): TestBus {
  const real = bus.nc;
  const nc = new Proxy(real, {
    get(target, prop) {
      if (prop === "publish")
        return (...args: Parameters<typeof real.publish>) => {
          const run = whilePublishing;
          whilePublishing = null;
          if (!run) return real.publish(...args);
          void run().finally(() => real.publish(...args));
        };
      const value = Reflect.get(target, prop, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return { ...bus, nc };
}

beforeAll(async () => {
  ({ db, bus, gateway } = await startGateway((started) => ({
    bus: publishHook(started.bus),
    reader: holdsReadHook(started.db, afterHoldsRead),
    now: () => clock.now,
  })));
  tenant = await testTenant(db, "Claim Race Diner");
  await baseRateProgramme(db, tenant.tenantId);
});
afterAll(() => stopGateway({ gateway, bus, db }));

/** A guest's hold of a free burger, expiring at `expiresAt`. */
const guestHold = (expiresAt: Date) => insertGuestHold(db, tenant.tenantId, expiresAt);

const post = (app: TestGateway, body: unknown, path = "/v1/transactions") =>
  app.request(path, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${tenant.apiKeys.pos}` },
    body: JSON.stringify(body),
  });

const lastSeq = () => lastStoredSeq(bus);

const holdOf = async (holdId: string) =>
  (
    await db.$queryRaw<{ status: string; claimed_at: Date | null }[]>`
      SELECT status, claimed_at FROM checkout_holds WHERE id = ${holdId}`
  )[0]!;

/** The sweep of the tenant's lapsed holds, as the ledger's job runs it at `now`. */
async function sweep(now: Date): Promise<number> {
  const programme = (await new ProgrammeCache(db, 0).inForce(tenant.tenantId, now))!;
  const log = createLogger({ level: "silent" });
  return (await releaseExpiredHolds({ db, log, tenantId: tenant.tenantId, programme, now })).acted;
}

describe("a sale received a second before its hold's expiry", () => {
  it("keeps its hold from a sweep run past the expiry while the sale is being stored, and the ledger commits it", async () => {
    const expiry = new Date(clock.now.getTime() + 1_000);
    const holdId = await guestHold(expiry);
    let swept = -1;
    whilePublishing = async () => {
      swept = await sweep(new Date(expiry.getTime() + 1_000));
    };

    expect((await post(gateway, saleBody({ holdId, lines: guestHoldLines, channel: "pos" }))).status).toBe(202);
    expect(swept).toBe(0);
    expect(await holdOf(holdId)).toEqual({ status: "held", claimed_at: clock.now });

    await applyLastStored(db, bus, clock);
    expect((await holdOf(holdId)).status).toBe("committed");
  });

  it("whose first try claimed the hold but was never stored, is stored when retried past the expiry within the claim's grace", async () => {
    const start = clock.now;
    const expiry = new Date(start.getTime() + 1_000);
    const holdId = await guestHold(expiry);
    const sale = saleBody({ holdId, lines: guestHoldLines, channel: "pos" });
    await claimHeldHolds(db, tenant.tenantId, [{ holdId, externalId: sale.externalId }], start);
    clock.now = new Date(expiry.getTime() + 60_000);
    try {
      expect(await (await post(gateway, sale)).json()).toMatchObject({ status: "accepted", duplicate: false });
      await applyLastStored(db, bus, clock);
      expect((await holdOf(holdId)).status).toBe("committed");
    } finally {
      clock.now = new Date();
    }
  });
});

/**
 * The gateway's check found the hold held and in force, then it ended before the claim: the claim does not take it,
 * and the sale is refused as one naming an ended hold would have been, or the ledger would process it with the hold's
 * discounts paid by nothing.
 */
describe("a sale whose hold ends between the gateway's check and its claim", () => {
  it("is refused with hold_ended when the hold was voided meanwhile, the other sales of the batch stored", async () => {
    const holdId = await guestHold(new Date(clock.now.getTime() + 600_000));
    afterHoldsRead.run = () => voidHold(db, tenant.tenantId, holdId, clock.now);
    const before = await lastSeq();
    const [voided, unrelated] = [
      saleBody({ holdId, lines: guestHoldLines, channel: "pos" }),
      saleBody({ customer: { phone: "+48710009931" } }),
    ];
    const res = await post(gateway, { transactions: [voided, unrelated] }, "/v1/transactions/batch");
    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({
      accepted: 1,
      invalid: 1,
      results: [
        { index: 0, status: "invalid", error: { code: "hold_ended", message: expect.stringContaining("released") } },
        { index: 1, status: "accepted" },
      ],
    });
    expect(await lastSeq()).toBe(before + 1);
    expect(await holdOf(holdId)).toEqual({ status: "released", claimed_at: null });
  });

  it("is refused with hold_ended when the sweep ended the hold meanwhile, its expiry passed", async () => {
    const expiry = new Date(clock.now.getTime() + 1_000);
    const holdId = await guestHold(expiry);
    afterHoldsRead.run = () => sweep(new Date(expiry.getTime() + 1_000));
    const before = await lastSeq();
    const res = await post(gateway, saleBody({ holdId, lines: guestHoldLines, channel: "pos" }));
    expect(res.status).toBe(409);
    expect(await res.json()).toMatchObject({ code: "hold_ended", message: expect.stringContaining("expired") });
    expect(await lastSeq()).toBe(before);
  });
});

/**
 * A gateway that reads holds as ever but whose writes (the claims) cannot reach Postgres: keys are read from the test
 * database, holds through a pool reader of their own, everything else through a proxy whose port is closed.
 */
describe("a sale whose hold cannot be claimed", () => {
  let proxy: TcpProxy;
  let reader: PoolReader;
  let unreachable: Db;
  let claimless: TestGateway;
  beforeAll(async () => {
    const pg = new URL(testDatabaseUrl());
    proxy = await startTcpProxy({ host: pg.hostname, port: Number(pg.port || 5432) });
    unreachable = createDb({ url: proxy.url(testDatabaseUrl()), poolSize: 1 });
    await proxy.refuse();
    reader = await testPoolReader({ poolSize: 1 });
    claimless = createGatewayApp(gatewayDeps(db, bus, { db: unreachable, reader, now: () => clock.now }));
  });
  afterAll(async () => {
    await claimless?.stop();
    await reader?.close();
    await unreachable?.$disconnect();
    await proxy?.close();
  });

  it("is answered 503 with nothing stored, so that the till's retry is a new sale claiming at its own time", async () => {
    const holdId = await guestHold(new Date(clock.now.getTime() + 1_000));
    const before = await lastSeq();
    const res = await post(claimless, saleBody({ holdId, lines: guestHoldLines, channel: "pos" }));
    expect(res.status).toBe(503);
    expect(await lastSeq()).toBe(before);
    expect(await holdOf(holdId)).toEqual({ status: "held", claimed_at: null });
  });
});
