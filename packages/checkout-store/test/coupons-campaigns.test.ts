import type { Db } from "@regulars/db";
import { DomainError } from "@regulars/errors";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createCampaign,
  generateCampaignCodes,
  getCampaign,
  listCampaigns,
  setCampaignStatus,
  updateCampaign,
} from "../src/index.ts";
import { ACTOR, campaignOf, couponTenant, generic, unique } from "./coupons-fixtures.ts";

let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

async function domainError(work: Promise<unknown>): Promise<DomainError> {
  const e = await work.then(
    () => undefined,
    (err: unknown) => err,
  );
  if (!(e instanceof DomainError)) throw new Error(`expected a DomainError, got ${String(e)}`);
  return e;
}

describe("createCampaign", () => {
  it("refuses a pattern whose codes could not be redeemed, and still reads one stored before that check", async () => {
    const { tenantId } = await couponTenant(db);
    const refused = await domainError(campaignOf(db, tenantId, unique("-XXXXXXXX")));
    expect(refused.issues).toEqual([{ path: "codes.pattern", message: expect.stringMatching(/letter or digit/) }]);

    const stored = await campaignOf(db, tenantId, unique("OLD-XXXXXXXX"));
    await db.$executeRaw`
      UPDATE coupon_campaigns SET config = jsonb_set(config, '{codes,pattern}', '"-XXXXXXXX"') WHERE id = ${stored.id}`;
    expect((await getCampaign(db, tenantId, stored.id)).config.codes).toEqual({ kind: "unique", pattern: "-XXXXXXXX" });
    expect((await listCampaigns(db, tenantId, { limit: 50 })).items.map((c) => c.id)).toContain(stored.id);
  });

  it("stores the validated config with defaults, claims a generic code, and audits", async () => {
    const { tenantId } = await couponTenant(db);
    const created = await campaignOf(db, tenantId, generic("fries-half", { limits: { perCode: 500 } }));
    expect(created).toMatchObject({
      id: expect.stringMatching(/^cpn_/),
      name: "Generic fries-half",
      status: "active",
      usedCount: 0,
      usedAmount: 0,
      config: {
        codes: { kind: "generic", code: "FRIES-HALF" },
        conditions: { minBasket: 0, locations: [] },
        stacking: { exclusive: false },
        refundReturnsUse: true,
      },
    });
    expect(await db.couponCode.findMany({ where: { tenantId } })).toEqual([
      expect.objectContaining({ code: "FRIES-HALF", campaignId: created.id, source: "generic", maxUses: 500 }),
    ]);
    expect(await db.auditLog.findMany({ where: { tenantId } })).toEqual([
      expect.objectContaining({ actor: ACTOR, action: "coupons.create", target: created.id }),
    ]);
    expect(await getCampaign(db, tenantId, created.id)).toEqual(created);
  });

  it("a generic code has no limit of its own without perCode; unique campaigns claim no code up front", async () => {
    const { tenantId } = await couponTenant(db);
    await campaignOf(db, tenantId, generic("NOLIMIT"));
    await campaignOf(db, tenantId, unique("WELCOME-XXXX"));
    expect(await db.couponCode.findMany({ where: { tenantId }, select: { code: true, maxUses: true } })).toEqual([
      { code: "NOLIMIT", maxUses: null },
    ]);
  });

  it("refuses a generic code another campaign of the tenant uses, leaving nothing behind", async () => {
    const { tenantId } = await couponTenant(db);
    const { tenantId: otherTenant } = await couponTenant(db);
    await campaignOf(db, tenantId, generic("SUMMER"));
    const e = await domainError(campaignOf(db, tenantId, generic("summer")));
    expect(e.code).toBe("conflict");
    expect(e.message).toMatch(/SUMMER is already used/);
    expect(await db.couponCampaign.count({ where: { tenantId } })).toBe(1);
    expect(await db.auditLog.count({ where: { tenantId } })).toBe(1);
    // another tenant's codes are its own
    await expect(campaignOf(db, otherTenant, generic("SUMMER"))).resolves.toMatchObject({ status: "active" });
  });

  it("refuses an invalid config with the paths of its problems", async () => {
    const { tenantId } = await couponTenant(db);
    const e = await domainError(
      createCampaign(
        db,
        tenantId,
        { ...unique("welcome-xxxx"), benefit: { kind: "percent_off", percent: 150 } },
        ACTOR,
      ),
    );
    expect(e.code).toBe("invalid_request");
    expect(e.issues?.map((i) => i.path).sort()).toEqual(["benefit.percent", "codes.pattern"]);
  });
});

describe("updateCampaign", () => {
  it("replaces the parts given, keeps the others, and audits before and after", async () => {
    const { tenantId } = await couponTenant(db);
    const c = await campaignOf(db, tenantId, generic("BURGER", { conditions: { minBasket: 1000 } }));
    const updated = await updateCampaign(db, tenantId, c.id, { name: "Burger deal", limits: { total: 100 } }, ACTOR);
    expect(updated).toMatchObject({
      name: "Burger deal",
      config: {
        name: "Burger deal",
        limits: { total: 100 },
        conditions: { minBasket: 1000 },
        benefit: c.config.benefit,
      },
    });
    const audit = await db.auditLog.findFirstOrThrow({ where: { tenantId, action: "coupons.update" } });
    expect(audit.details).toEqual({
      before: { name: "Generic BURGER", limits: {} },
      after: { name: "Burger deal", limits: { total: 100 } },
    });
  });

  it("refuses a change of the kind of codes or of a generic code; a unique pattern may change", async () => {
    const { tenantId } = await couponTenant(db);
    const g = await campaignOf(db, tenantId, generic("KEEPME"));
    const kind = await domainError(updateCampaign(db, tenantId, g.id, { codes: { kind: "imported" } }, ACTOR));
    expect(kind).toMatchObject({ code: "invalid_request", issues: [{ path: "codes" }] });
    const code = await domainError(
      updateCampaign(db, tenantId, g.id, { codes: { kind: "generic", code: "NEW" } }, ACTOR),
    );
    expect(code.message).toMatch(/KEEPME cannot change/);

    const u = await campaignOf(db, tenantId, unique("OLD-XXXX"));
    const longer = await updateCampaign(
      db,
      tenantId,
      u.id,
      { codes: { kind: "unique", pattern: "NEW-XXXXXX" } },
      ACTOR,
    );
    expect(longer.config.codes).toEqual({ kind: "unique", pattern: "NEW-XXXXXX" });
  });

  it("a new perCode limit applies to the codes made already", async () => {
    const { tenantId } = await couponTenant(db);
    const u = await campaignOf(db, tenantId, unique("PC-XXXXXXX"));
    await generateCampaignCodes(db, tenantId, u.id, 50, ACTOR);
    expect(await db.couponCode.count({ where: { tenantId, maxUses: 1 } })).toBe(50);
    await updateCampaign(db, tenantId, u.id, { limits: { perCode: 3 } }, ACTOR);
    expect(await db.couponCode.count({ where: { tenantId, maxUses: 3 } })).toBe(50);
  });

  it("another tenant's campaign is not found", async () => {
    const { tenantId } = await couponTenant(db);
    const { tenantId: other } = await couponTenant(db);
    const c = await campaignOf(db, tenantId, generic("MINE"));
    // Thunks, so each attempt starts only when awaited: an eager array would leave the later rejections unhandled.
    for (const work of [
      () => getCampaign(db, other, c.id),
      () => updateCampaign(db, other, c.id, { name: "Stolen" }, ACTOR),
      () => setCampaignStatus(db, other, c.id, "paused", ACTOR),
    ])
      expect((await domainError(work())).code).toBe("not_found");
    expect(await getCampaign(db, tenantId, c.id)).toMatchObject({ name: "Generic MINE", status: "active" });
  });
});

describe("setCampaignStatus and listCampaigns", () => {
  it("pauses and resumes with one audit row per change", async () => {
    const { tenantId } = await couponTenant(db);
    const c = await campaignOf(db, tenantId, generic("PAUSE"));
    expect((await setCampaignStatus(db, tenantId, c.id, "paused", ACTOR)).status).toBe("paused");
    expect((await setCampaignStatus(db, tenantId, c.id, "paused", ACTOR)).status).toBe("paused");
    expect((await setCampaignStatus(db, tenantId, c.id, "active", ACTOR)).status).toBe("active");
    const actions = await db.auditLog.findMany({ where: { tenantId, target: c.id }, orderBy: { id: "asc" } });
    expect(actions.map((a) => a.action)).toEqual(["coupons.create", "coupons.pause", "coupons.resume"]);
  });

  it("lists newest first in pages, filtered by status, only the tenant's own", async () => {
    const { tenantId } = await couponTenant(db);
    const { tenantId: other } = await couponTenant(db);
    await campaignOf(db, other, generic("ELSEWHERE"));
    const made = [];
    for (const code of ["C1", "C2", "C3", "C4", "C5"]) made.push(await campaignOf(db, tenantId, generic(`${code}-X`)));
    await setCampaignStatus(db, tenantId, made[1]!.id, "paused", ACTOR);

    const first = await listCampaigns(db, tenantId, { limit: 2 });
    expect(first.items.map((c) => c.config.codes)).toEqual([
      { kind: "generic", code: "C5-X" },
      { kind: "generic", code: "C4-X" },
    ]);
    const second = await listCampaigns(db, tenantId, { limit: 2, cursor: first.nextCursor });
    const third = await listCampaigns(db, tenantId, { limit: 2, cursor: second.nextCursor });
    expect([...first.items, ...second.items, ...third.items].map((c) => c.id)).toEqual(made.map((c) => c.id).reverse());
    expect(third.nextCursor).toBeNull();

    const paused = await listCampaigns(db, tenantId, { limit: 10, status: "paused" });
    expect(paused.items.map((c) => c.id)).toEqual([made[1]!.id]);
    expect((await listCampaigns(db, tenantId, { limit: 10, status: "active" })).items).toHaveLength(4);
  });
});
