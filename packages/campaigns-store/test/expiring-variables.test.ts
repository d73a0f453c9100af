import { ProgrammeConfig } from "@regulars/contracts";
import { type Db, withTransaction } from "@regulars/db";
import { postMovements } from "@regulars/ledger-store";
import { inactivityExpiry, localDate } from "@regulars/rules";
import { testDb, testTenant } from "@regulars/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { customerMessageVariables } from "../src/index.ts";
import { addCustomer } from "./admin-fixtures.ts";

// `{{points.expiring}}` and `{{points.expiring_on}}` name the customer's next expiry, as the notice that triggers a
// message does: a lot dated under an earlier `after_earning` version counts under any policy, and under
// `inactivity` the earlier of that lot and the whole balance's inactivity date wins.

let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

const WARSAW = "Europe/Warsaw";
const DAY = 86_400_000;
type Movement = Parameters<typeof postMovements>[1][number];

/** A tenant whose programme in force has `expiry`, and a customer who holds a dated lot and undated points bought at `boughtAt`. */
async function customerWithDatedLot(expiry: unknown, now: Date, lotExpiresAt: Date, boughtAt: Date) {
  const { tenantId } = await testTenant(db, "Expiring Grill");
  const config = ProgrammeConfig.parse({
    rules: [{ id: "base", type: "base_rate", pointsPerUnit: 1, unitMinor: 100 }],
    expiry,
  });
  await db.programmeVersion.create({
    data: { tenantId, version: 2, effectiveFrom: new Date(0), config, createdBy: "test" },
  });
  const c = await addCustomer(db, tenantId);
  const earned = (key: string, amount: number, occurredAt: Date, expiresAt: Date | null): Movement => ({
    tenantId,
    customerId: c,
    kind: "earn",
    unit: "points",
    amount,
    idempotencyKey: key,
    occurredAt,
    lot: { availableAt: occurredAt, expiresAt },
  });
  await withTransaction(db, (tx) =>
    postMovements(tx, [
      earned("dated", 80, new Date(now.getTime() - 360 * DAY), lotExpiresAt),
      earned("bought", 20, boughtAt, null),
    ]),
  );
  await db.customerLoyalty.create({ data: { customerId: c, tenantId, lastActivityAt: boughtAt } });
  return { tenantId, c, config };
}

it("names a dated lot's expiry under inactivity when it comes before the balance's", async () => {
  const now = new Date();
  const lotExpiresAt = new Date(now.getTime() + 5 * DAY);
  const { tenantId, c } = await customerWithDatedLot(
    { kind: "inactivity", months: 12, noticeDays: 14 },
    now,
    lotExpiresAt,
    new Date(now.getTime() - 10 * DAY),
  );
  expect((await customerMessageVariables(db, tenantId, c, { now }))?.points).toMatchObject({
    balance: 100,
    expiring: 80,
    expiring_on: localDate(lotExpiresAt.toISOString(), WARSAW),
  });
});

it("names the whole balance under inactivity when its inactivity date comes first", async () => {
  const now = new Date();
  const boughtAt = new Date(now.getTime() - 355 * DAY); // twelve months end in about ten days
  const { tenantId, c, config } = await customerWithDatedLot(
    { kind: "inactivity", months: 12, noticeDays: 14 },
    now,
    new Date(now.getTime() + 30 * DAY),
    boughtAt,
  );
  const inactiveAt = inactivityExpiry(config.expiry, boughtAt.toISOString(), WARSAW)!;
  expect((await customerMessageVariables(db, tenantId, c, { now }))?.points).toMatchObject({
    balance: 100,
    expiring: 100,
    expiring_on: localDate(inactiveAt.toISOString(), WARSAW),
  });
});

it("names a dated lot's expiry under none", async () => {
  const now = new Date();
  const lotExpiresAt = new Date(now.getTime() + 5 * DAY);
  const { tenantId, c } = await customerWithDatedLot(
    { kind: "none" },
    now,
    lotExpiresAt,
    new Date(now.getTime() - 10 * DAY),
  );
  expect((await customerMessageVariables(db, tenantId, c, { now }))?.points).toMatchObject({
    balance: 100,
    expiring: 80,
    expiring_on: localDate(lotExpiresAt.toISOString(), WARSAW),
  });
});
