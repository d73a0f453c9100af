import { type HoldRequest, QuoteRequest } from "@regulars/contracts";
import type { Db } from "@regulars/db";
import { type HoldDeps, placeHold, voidHold } from "@regulars/ledger-store";
import { ProgrammeCache } from "@regulars/programme";
import { eventually, type HeldTransaction, holdTransaction, testDatabaseUrl, testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateCampaignCodes, importCodes } from "../src/index.ts";
import { ACTOR, campaignOf, couponTenant, imported, unique } from "./coupons-fixtures.ts";

let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

/** Long enough for a hold that is not blocked to finish on a busy machine; a blocked one waits for the commit. */
const BOUND_MS = 15_000;

const holdFor = (customerId: string, code: string): HoldRequest => ({
  ...QuoteRequest.parse({
    basket: {
      locationId: "store-001",
      channel: "kiosk",
      currency: "EUR",
      lines: [{ sku: "FRIES", name: "Fries", quantity: 1, unitPrice: 400, discount: 0, tags: [] }],
    },
    couponCodes: [code],
  }),
  customer: { id: customerId },
  ttlSeconds: 600,
});

/** A transaction on its own connection, holding what `lock` takes, and its backend's pid. */
async function heldElsewhere(lock: (tx: Parameters<Parameters<typeof holdTransaction>[1]>[0]) => Promise<unknown>) {
  let pid = 0;
  const held = await holdTransaction(testDatabaseUrl(), async (tx) => {
    pid = (await tx.$queryRaw<{ pid: number }[]>`SELECT pg_backend_pid() AS pid`)[0]!.pid;
    await lock(tx);
  });
  return { held, pid };
}

/** Resolves once some session waits for the held transaction: the code writer is stopped mid-way. */
const waitingFor = (pid: number, what: string) =>
  eventually(`${what} to wait for the held transaction`, async () => {
    const [row] = await db.$queryRaw<{ waiting: number }[]>`
      SELECT count(*)::int AS waiting FROM pg_stat_activity WHERE ${pid}::int = ANY(pg_blocking_pids(pid))`;
    return row && row.waiting > 0 ? true : undefined;
  });

/**
 * Places a hold on `code` while `writer` is stopped, and tells whether it finished within the bound and in which
 * order the two finished. The held transaction commits either way, so nothing is left waiting.
 */
async function holdWhileStopped(
  deps: HoldDeps,
  tenantId: string,
  request: HoldRequest,
  writer: Promise<unknown>,
  held: HeldTransaction,
) {
  const order: string[] = [];
  const written = writer.then(() => order.push("codes"));
  written.catch(() => undefined);
  const hold = placeHold(deps, tenantId, request).then((placed) => {
    order.push("hold");
    return placed;
  });
  hold.catch(() => undefined);
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<"still blocked">((r) => (timer = setTimeout(() => r("still blocked"), BOUND_MS)));
  const outcome = await Promise.race([hold.then(() => "held" as const), bound]);
  clearTimeout(timer);
  await held.commit();
  await Promise.all([hold, written]);
  return { outcome, order };
}

describe("adding codes to a live campaign", () => {
  const depsOf = (): HoldDeps => ({ db, programmes: new ProgrammeCache(db, 0), sendConfirmationSms: async () => {} });

  it("lets a hold on the campaign through while a generation is stopped between chunks", async () => {
    const { tenantId, customers } = await couponTenant(db, 1);
    const pattern = "LUNCH-XXXXXXXXX";
    const c = await campaignOf(db, tenantId, unique(pattern));
    await generateCampaignCodes(db, tenantId, c.id, 10, ACTOR);
    const { code } = await db.couponCode.findFirstOrThrow({ where: { campaignId: c.id } });
    // Another generation on the pattern holds its lock: this one stops before its next chunk.
    const patternLock = `coupon-pattern:${tenantId}:${pattern}`;
    const { held, pid } = await heldElsewhere(
      (tx) => tx.$queryRaw`SELECT count(pg_advisory_xact_lock(hashtextextended(${patternLock}, 0)))`,
    );
    const generation = generateCampaignCodes(db, tenantId, c.id, 3_000, ACTOR);
    await waitingFor(pid, "the generation");
    const { outcome, order } = await holdWhileStopped(
      depsOf(),
      tenantId,
      holdFor(customers[0]!, code),
      generation,
      held,
    );
    expect(outcome).toBe("held");
    expect(order).toEqual(["hold", "codes"]);
    expect(await db.couponUse.count({ where: { campaignId: c.id, status: "held" } })).toBe(1);
    expect((await generation).inserted).toBe(3_000);
    expect(await db.couponCode.count({ where: { campaignId: c.id } })).toBe(3_010);
  });

  it("lets a hold on the campaign through while an import is stopped mid-chunk", async () => {
    const { tenantId, customers } = await couponTenant(db, 1);
    const c = await campaignOf(db, tenantId, imported());
    const other = await campaignOf(db, tenantId, imported({ name: "Other partner" }));
    await importCodes(db, tenantId, c.id, ["PARTNER-0001"], ACTOR);
    // Another import, uncommitted, has one of the file's codes: inserting it waits for that transaction's end.
    const { held, pid } = await heldElsewhere(
      (tx) => tx.$executeRaw`
        INSERT INTO coupon_codes (tenant_id, code, campaign_id, source, max_uses)
        VALUES (${tenantId}, 'PARTNER-0002', ${other.id}, 'imported', 1)`,
    );
    const file = Array.from({ length: 3_000 }, (_, i) => `PARTNER-${String(i + 2).padStart(4, "0")}`);
    const upload = importCodes(db, tenantId, c.id, file, ACTOR);
    await waitingFor(pid, "the import");
    const request = holdFor(customers[0]!, "PARTNER-0001");
    const { outcome, order } = await holdWhileStopped(depsOf(), tenantId, request, upload, held);
    expect(outcome).toBe("held");
    expect(order).toEqual(["hold", "codes"]);
    expect(await db.couponUse.count({ where: { campaignId: c.id, status: "held" } })).toBe(1);
    expect(await upload).toMatchObject({ received: 3_000, inserted: 2_999, taken: 1 });
  });

  it("lets a hold on the campaign through while a chunk's codes of it are written and not yet committed", async () => {
    const { tenantId, customers } = await couponTenant(db, 1);
    const c = await campaignOf(db, tenantId, imported());
    await importCodes(db, tenantId, c.id, ["PARTNER-0001"], ACTOR);
    // A chunk mid-way: its code rows' foreign key holds KEY SHARE on the campaign until it commits.
    const { held } = await heldElsewhere(
      (tx) => tx.$executeRaw`
        INSERT INTO coupon_codes (tenant_id, code, campaign_id, source, max_uses)
        VALUES (${tenantId}, 'PARTNER-0002', ${c.id}, 'imported', 1)`,
    );
    const { outcome, order } = await holdWhileStopped(
      depsOf(),
      tenantId,
      holdFor(customers[0]!, "PARTNER-0001"),
      Promise.resolve(),
      held,
    );
    expect(outcome).toBe("held");
    expect(order).toEqual(["codes", "hold"]);
    expect(await db.couponUse.count({ where: { campaignId: c.id, status: "held" } })).toBe(1);
  });

  it("lets a hold on the campaign be voided while a chunk's codes of it are not yet committed", async () => {
    const { tenantId, customers } = await couponTenant(db, 1);
    const c = await campaignOf(db, tenantId, imported());
    await importCodes(db, tenantId, c.id, ["PARTNER-0001"], ACTOR);
    const placed = await placeHold(depsOf(), tenantId, holdFor(customers[0]!, "PARTNER-0001"));
    const { held } = await heldElsewhere(
      (tx) => tx.$executeRaw`
        INSERT INTO coupon_codes (tenant_id, code, campaign_id, source, max_uses)
        VALUES (${tenantId}, 'PARTNER-0002', ${c.id}, 'imported', 1)`,
    );
    const voided = voidHold(db, tenantId, placed.holdId);
    voided.catch(() => undefined);
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<"still blocked">((r) => (timer = setTimeout(() => r("still blocked"), BOUND_MS)));
    const outcome = await Promise.race([voided.then((v) => v.status), bound]);
    clearTimeout(timer);
    await held.commit();
    await voided;
    expect(outcome).toBe("released");
  });
});
