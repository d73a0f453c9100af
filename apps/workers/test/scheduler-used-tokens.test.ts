import type { Db } from "@regulars/db";
import { silentLogger } from "@regulars/logger";
import { ProgrammeCache } from "@regulars/programme";
import { testDb, testTenant } from "@regulars/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { runScheduledJobs } from "../src/index.ts";
import { messageCustomer } from "./message-fixtures.ts";
import { passWhenLeaseFree } from "./scheduled-pass.ts";

const HOUR = 3_600_000;

let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

it("a scheduled pass prunes used identity tokens once they have expired, and keeps the ones that may still be replayed", async () => {
  const now = new Date();
  const { tenantId } = await testTenant(db, "Used tokens");
  const customer = await messageCustomer(db, tenantId, { phone: "+48600399200", at: now });
  for (const [jti, expiresAt] of [
    ["expired", new Date(now.getTime() - 2 * HOUR)],
    ["live", new Date(now.getTime() + HOUR)],
  ] as const) {
    await db.$executeRaw`
      INSERT INTO used_identity_tokens (tenant_id, jti, customer_id, used_at, expires_at)
      VALUES (${tenantId}, ${jti}, ${customer}, ${new Date(now.getTime() - 3 * HOUR)}, ${expiresAt})`;
  }

  const { done } = await passWhenLeaseFree(() =>
    runScheduledJobs({ db, bus: null as never, log: silentLogger, programmes: new ProgrammeCache(db) }, now, {
      tenantIds: [tenantId],
    }),
  );

  expect(done["used-tokens-cleanup"]).toBe(1);
  const left = await db.$queryRaw<
    { jti: string }[]
  >`SELECT jti FROM used_identity_tokens WHERE tenant_id = ${tenantId}`;
  expect(left.map((r) => r.jti)).toEqual(["live"]);
});

it("a pass asked to stop ends before its next tenant and leaves the clean-ups to the next pass", async () => {
  const now = new Date();
  const { tenantId } = await testTenant(db, "Stopping pass");
  const customer = await messageCustomer(db, tenantId, { phone: "+48600399201", at: now });
  await db.$executeRaw`
    INSERT INTO used_identity_tokens (tenant_id, jti, customer_id, used_at, expires_at)
    VALUES (${tenantId}, 'expired', ${customer}, ${new Date(now.getTime() - 3 * HOUR)}, ${new Date(now.getTime() - 2 * HOUR)})`;
  const deps = { db, bus: null as never, log: silentLogger, programmes: new ProgrammeCache(db) };

  const stopping = await passWhenLeaseFree(() =>
    runScheduledJobs({ ...deps, stopping: () => true }, now, { tenantIds: [tenantId] }),
  );
  expect(stopping.done).toEqual({});
  expect(await db.$queryRaw`SELECT jti FROM used_identity_tokens WHERE tenant_id = ${tenantId}`).toHaveLength(1);

  // The lease was let go: the next pass runs, and does what the stopped one left.
  const next = await passWhenLeaseFree(() => runScheduledJobs(deps, now, { tenantIds: [tenantId] }));
  expect(next.done["used-tokens-cleanup"]).toBe(1);
});
