import { randomUUID } from "node:crypto";
import { TierProgramme } from "@regulars/contracts";
import type { Db } from "@regulars/db";
import { DomainError } from "@regulars/errors";
import { testDb, testTenant } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setTiers } from "../src/edits.ts";
import { changeProgramme, programmeAt } from "../src/versions.ts";

let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

const bronze = { id: "bronze", name: "Bronze", threshold: 0 };
const silver = { id: "silver", name: "Silver", threshold: 200 };
const gold = { id: "gold", name: "Gold", threshold: 500 };
const tiersOf = (...levels: object[]) => TierProgramme.parse({ basis: "points_earned", window: "lifetime", levels });
const changeTiers = (tenantId: string, ...levels: object[]) =>
  changeProgramme(db, {
    tenantId,
    actor: "key_test",
    action: "programme.tiers.set",
    target: null,
    edit: (c) => setTiers(c, tiersOf(...levels)),
  });
const caught = (work: Promise<unknown>) =>
  work.then(
    () => new Error("expected a refusal"),
    (e: Error) => e,
  );

async function tenantHolding(holders: Record<string, number>) {
  const { tenantId } = await testTenant(db, "Tier Holders");
  await changeTiers(tenantId, bronze, silver, gold);
  for (const [tier, count] of Object.entries(holders)) {
    for (let i = 0; i < count; i++) {
      const customerId = `cus_${randomUUID()}`;
      await db.customer.create({ data: { id: customerId, tenantId, createdVia: "test" } });
      await db.customerLoyalty.create({ data: { customerId, tenantId, tier, tierSince: new Date() } });
    }
  }
  return tenantId;
}

describe("a tier level customers hold cannot be removed", () => {
  it("refuses removing it or changing its id, naming the tier and how many hold it; the programme stays as it was", async () => {
    const tenantId = await tenantHolding({ silver: 2, bronze: 1 });
    const before = await programmeAt(db, tenantId);

    const removed = await caught(changeTiers(tenantId, bronze, gold));
    expect(removed).toBeInstanceOf(DomainError);
    expect((removed as DomainError).code).toBe("invalid_request");
    expect(removed.message).toContain("tier 'silver' (Silver) cannot be removed");
    expect(removed.message).toContain("2 customers hold it");
    expect((removed as DomainError).issues).toEqual([expect.objectContaining({ path: "tiers.levels" })]);

    const renamed = await caught(changeTiers(tenantId, bronze, { ...silver, id: "argent" }, gold));
    expect(renamed.message).toContain("tier 'silver' (Silver) cannot be removed or have its id changed");

    expect((await programmeAt(db, tenantId)).version).toBe(before.version);
  });

  it("allows removing a level nobody holds, and changing a held level's name and threshold", async () => {
    const tenantId = await tenantHolding({ silver: 1 });
    const changed = await changeTiers(tenantId, bronze, { ...silver, name: "Silver Plus", threshold: 250 });
    expect(changed.config.tiers?.levels.map((l) => [l.id, l.name, l.threshold])).toEqual([
      ["bronze", "Bronze", 0],
      ["silver", "Silver Plus", 250],
    ]);
  });
});

describe("switching the tiers off, or removing a level a floor or a rule names", () => {
  const change = (tenantId: string, edit: Parameters<typeof changeProgramme>[1]["edit"]) =>
    changeProgramme(db, { tenantId, actor: "key_test", action: "programme.test", target: null, edit });

  it("allows switching the tiers off while customers hold them, and bringing them back", async () => {
    const tenantId = await tenantHolding({ bronze: 3, silver: 2, gold: 1 });
    const off = await change(tenantId, (c) => setTiers(c, null));
    expect(off.config.tiers).toBeUndefined();
    expect(await db.customerLoyalty.count({ where: { tenantId, tier: { not: null } } })).toBe(6);

    const back = await changeTiers(tenantId, bronze, gold);
    expect(back.config.tiers?.levels.map((l) => l.id)).toEqual(["bronze", "gold"]);
  });

  it("refuses removing a level that is a customer's floor after the change takes effect; an ended floor does not", async () => {
    const tenantId = await tenantHolding({});
    const floored = async (tierFloorUntil: Date) => {
      const customerId = `cus_${randomUUID()}`;
      await db.customer.create({ data: { id: customerId, tenantId, createdVia: "test" } });
      await db.customerLoyalty.create({
        data: { customerId, tenantId, tier: "bronze", tierSince: new Date(), tierFloor: "gold", tierFloorUntil },
      });
    };
    await floored(new Date(Date.now() - 86_400_000));
    await changeTiers(tenantId, bronze, silver, { ...gold, name: "Gold Plus" });
    await floored(new Date(Date.now() + 30 * 86_400_000));

    const removed = await caught(changeTiers(tenantId, bronze, silver));
    expect((removed as DomainError).issues).toEqual([expect.objectContaining({ path: "tiers.levels" })]);
    expect(removed.message).toContain("tier 'gold' (Gold Plus) cannot be removed or have its id changed");
    expect(removed.message).toContain("1 customer has it as a tier floor");
    expect(removed.message).not.toContain("holds it");
  });

  it("refuses removing a level a rule still names, naming the rule's field", async () => {
    const tenantId = await tenantHolding({});
    await change(tenantId, (c) => ({
      ...c,
      rules: [...c.rules, { ...c.rules[0]!, id: "gold-extra", tiers: ["gold"] }],
    }));
    const removed = await caught(changeTiers(tenantId, bronze, silver));
    expect((removed as DomainError).issues).toEqual([
      expect.objectContaining({ path: "rules.1.tiers.0", message: "the programme has no tier 'gold'" }),
    ]);
  });
});
