import { defaultProgramme, ProgrammeConfig } from "@regulars/contracts";
import type { Db } from "@regulars/db";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { adjustBalance, outboxEventsOf, setTierFloor } from "../src/index.ts";
import { base } from "./batch-fixtures.ts";
import { tenantWithCustomers } from "./fixtures.ts";

// Erasure keeps the customer's balance and tier, so staff may still correct them. What that announces must not carry
// the real id out again: an accounting fact under a pseudonym, an event about the person not at all.

let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

const WARSAW = "Europe/Warsaw";

async function erasedCustomer(name: string) {
  const { tenantId, customers } = await tenantWithCustomers(db, 1, name);
  const [erased] = customers as [string];
  await db.$executeRaw`UPDATE customers SET erased_at = now() WHERE id = ${erased}`;
  return { tenantId, erased };
}

/** Every outbox row naming the customer, published or not. */
const outboxAbout = async (tenantId: string, customerId: string) =>
  db.$queryRaw<{ type: string }[]>`
    SELECT type FROM outbox_events WHERE tenant_id = ${tenantId} AND payload::text LIKE ${`%${customerId}%`}`;

it("announces an admin's credit and take-back of an erased customer's points under pseudonyms only", async () => {
  const { tenantId, erased } = await erasedCustomer("Erased adjust");
  const programme = { version: 1, config: defaultProgramme, timezone: WARSAW };
  const adjust = (amount: number) =>
    adjustBalance(db, tenantId, "key_admin", { customerId: erased, unit: "points", amount, reason: "fix" }, programme);
  await adjust(100);
  await adjust(-40);

  const events = (await outboxEventsOf(db, tenantId)).map((i) => [
    i.type,
    (i.payload as { customerId: string }).customerId,
  ]);
  expect(events).toEqual([
    ["points.earned", expect.stringMatching(/^anon_[0-9a-f]{32}$/)],
    ["points.reversed", expect.stringMatching(/^anon_[0-9a-f]{32}$/)],
  ]);
  expect(await outboxAbout(tenantId, erased)).toEqual([]);
});

it("raises an erased customer's tier to a floor without announcing it", async () => {
  const { tenantId, erased } = await erasedCustomer("Erased floor");
  const now = new Date();
  const levels = [
    { id: "bronze", name: "Bronze", threshold: 0 },
    { id: "gold", name: "Gold", threshold: 500 },
  ];
  const config = ProgrammeConfig.parse({
    rules: [base],
    tiers: { basis: "points_earned", window: "lifetime", levels },
  });
  const until = new Date(now.getTime() + 30 * 86_400_000);
  const floor = { customerId: erased, tier: "gold", until, reason: "status match" };
  expect(
    await setTierFloor(db, tenantId, "key_admin", floor, { version: 2, config, timezone: WARSAW }, now),
  ).toMatchObject({ tier: "gold", raised: true });
  expect(await outboxAbout(tenantId, erased)).toEqual([]);
});
