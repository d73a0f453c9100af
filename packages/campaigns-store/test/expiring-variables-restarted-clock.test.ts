import { ProgrammeConfig } from "@regulars/contracts";
import { type Db, withTransaction } from "@regulars/db";
import { postMovements } from "@regulars/ledger-store";
import { addMonthsLocal, localDate } from "@regulars/rules";
import { testDb, testTenant } from "@regulars/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { customerMessageVariables } from "../src/index.ts";
import { addCustomer } from "./admin-fixtures.ts";

// A customer left with no points when their inactivity period ran out has no expiry posted; a bonus credited after
// it starts a full period (the ledger's inactivity clock), and `{{points.expiring_on}}` names that period's end.

let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

const WARSAW = "Europe/Warsaw";
const DAY = 86_400_000;

it("names a full period from a bonus credited after a period that ran out with nothing to expire", async () => {
  const now = new Date();
  const { tenantId } = await testTenant(db, "Win-back Grill");
  const config = ProgrammeConfig.parse({
    rules: [{ id: "base", type: "base_rate", pointsPerUnit: 1, unitMinor: 100 }],
    expiry: { kind: "inactivity", months: 6, noticeDays: 14 },
  });
  await db.programmeVersion.create({
    data: { tenantId, version: 2, effectiveFrom: new Date(0), config, createdBy: "test" },
  });
  const c = await addCustomer(db, tenantId);
  const boughtAt = new Date(now.getTime() - 300 * DAY);
  const bonusAt = new Date(now.getTime() - 10 * DAY);
  const move = (kind: "earn" | "redeem" | "bonus", amount: number, occurredAt: Date) => ({
    tenantId,
    customerId: c,
    kind,
    unit: "points" as const,
    amount,
    idempotencyKey: `${kind}`,
    occurredAt,
    ...(amount > 0 ? { lot: { availableAt: occurredAt, expiresAt: null } } : {}),
  });
  await withTransaction(db, (tx) =>
    postMovements(tx, [move("earn", 40, boughtAt), move("redeem", -40, boughtAt), move("bonus", 100, bonusAt)]),
  );
  await db.customerLoyalty.create({ data: { customerId: c, tenantId, lastActivityAt: boughtAt } });

  expect((await customerMessageVariables(db, tenantId, c, { now }))?.points).toMatchObject({
    balance: 100,
    expiring: 100,
    expiring_on: localDate(addMonthsLocal(bonusAt.toISOString(), 6, WARSAW).toISOString(), WARSAW),
  });
});
