import { runDueBroadcasts } from "@regulars/campaigns-store";
import { createCampaign as createCouponCampaign } from "@regulars/checkout-store";
import { CampaignDefinition } from "@regulars/contracts";
import { createDb, type Db } from "@regulars/db";
import { newId } from "@regulars/ids";
import { silentLogger } from "@regulars/logger";
import { startTcpProxy, type TcpProxy, testDatabaseUrl, testDb, testTenant } from "@regulars/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createStepExecutor } from "../src/campaigns/step-executor.ts";
import { broadcastCampaign, messageCustomer } from "./message-fixtures.ts";

// Postgres going away while a campaign step runs: the executor reaches it through a TCP proxy that refuses
// connections and resets the open ones, so the step's transaction and the record of its failure both fail as they
// would in an outage. The step's rejection must not go unhandled (Node ends the process on one, and with it every
// role of `npm start`); the pass fails instead, and a later pass runs the step.

let db: Db;
let proxy: TcpProxy;
let executorDb: Db;
// A year ahead: the test's steps are due then only, out of the way of executors of other test files.
const now = new Date(Date.now() + 365 * 86_400_000);

beforeAll(async () => {
  db = testDb();
  const target = new URL(testDatabaseUrl());
  proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
  executorDb = createDb({ url: proxy.url(testDatabaseUrl()), poolSize: 2 });
});
afterAll(async () => {
  await executorDb?.$disconnect();
  await db?.$disconnect();
  await proxy?.close();
});

/** A broadcast whose one step (a coupon) is due at `now` for one customer. */
async function dueCouponStep(tenantId: string): Promise<string> {
  const coupon = await createCouponCampaign(
    db,
    tenantId,
    {
      name: "Free fries",
      benefit: { kind: "percent_off", percent: 100, match: { skus: ["FRIES"] } },
      codes: { kind: "generic", code: `FREE${Date.now().toString(36).toUpperCase()}` },
    },
    "key_test_admin",
  );
  const customerId = await messageCustomer(db, tenantId, { email: "outage@example.com", at: new Date() });
  const segmentId = newId("segment");
  await db.segment.create({
    data: { id: segmentId, tenantId, name: "outage", kind: "sql", rawSql: "SELECT 1", createdBy: "test" },
  });
  await db.segmentMember.create({ data: { segmentId, customerId, tenantId, enteredAt: new Date() } });
  const runAt = new Date(now.getTime() - 60_000);
  const definition = CampaignDefinition.parse({
    name: "Outage broadcast",
    status: "active",
    audience: { kind: "segment", segmentId },
    trigger: { type: "broadcast", schedule: { repeat: "once", at: runAt.toISOString() } },
    actions: [{ type: "issue_coupon", couponCampaignId: coupon.id }],
  });
  const campaignId = await broadcastCampaign(db, tenantId, definition, runAt);
  await runDueBroadcasts({ db, tenantId, zone: "Europe/Warsaw", now });
  return campaignId;
}

/**
 * The executor's database: Postgres goes away as soon as the first claim has taken the step, and later claims wait
 * 300 ms before reaching it (a loaded database), so the step fails while the executor awaits its next claim.
 */
function goneAfterFirstClaim(real: Db): Db {
  let claims = 0;
  return new Proxy(real, {
    get(target, key) {
      const value = Reflect.get(target, key, target);
      if (key !== "$queryRaw") return typeof value === "function" ? value.bind(target) : value;
      return async (sql: TemplateStringsArray, ...values: unknown[]) => {
        if (++claims > 1) await new Promise((r) => setTimeout(r, 300));
        const rows = await target.$queryRaw(sql, ...values);
        if (claims === 1) await proxy.refuse();
        return rows;
      };
    },
  });
}

it("fails the pass, without an unhandled rejection, when Postgres drops mid-step; a later pass runs the step", async () => {
  const { tenantId } = await testTenant(db, "Outage Grill");
  const campaignId = await dueCouponStep(tenantId);
  const executor = (at: Date, on: Db) =>
    createStepExecutor({
      db: on,
      log: silentLogger,
      publish: async () => {},
      now: () => at,
      tenantIds: [tenantId],
      programmes: { inForce: async () => null } as never,
      queueMessage: async () => {
        throw new Error("no message steps in this campaign");
      },
    });

  const unhandled: unknown[] = [];
  const listeners = process.listeners("unhandledRejection");
  process.removeAllListeners("unhandledRejection");
  process.on("unhandledRejection", (e) => unhandled.push(e));
  let passFailed: unknown = null;
  try {
    await executor(now, goneAfterFirstClaim(executorDb))
      .runDue()
      .catch((e: unknown) => (passFailed = e));
    await new Promise((r) => setTimeout(r, 100)); // any rejection left unhandled is reported by now
  } finally {
    process.removeAllListeners("unhandledRejection");
    for (const listener of listeners) process.on("unhandledRejection", listener);
  }
  expect(unhandled.map(String)).toEqual([]);
  expect(passFailed).not.toBeNull();

  // Postgres is back; the step's claim has run out: the next pass issues the coupon.
  await proxy.restore();
  const later = new Date(now.getTime() + 5 * 60_000);
  expect((await executor(later, executorDb).runDue()).done).toBe(1);
  expect(await db.campaignStep.findMany({ where: { campaignId }, select: { status: true } })).toEqual([
    { status: "done" },
  ]);
});
