import type { Db } from "@regulars/db";
import { newId } from "@regulars/ids";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { failure, issuesOf, tenantCallers } from "./helpers.ts";

let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

const fries = { kind: "percent_off" as const, percent: 50, match: { skus: ["FRIES"] } };
const welcome = { name: "Welcome", benefit: fries, codes: { kind: "unique" as const, pattern: "WELCOME-XXXXXXX" } };
const partner = { name: "Partner", benefit: fries, codes: { kind: "imported" as const } };
const generic = (code: string) => ({
  name: `Generic ${code}`,
  benefit: fries,
  codes: { kind: "generic" as const, code },
});

async function customerOf(tenantId: string): Promise<string> {
  const id = newId("customer");
  await db.customer.create({ data: { id, tenantId, createdVia: "test" } });
  return id;
}

describe("coupons router", () => {
  it("an admin creates, changes, pauses and resumes campaigns, each change audited under the admin key", async () => {
    const t = await tenantCallers(db, "Coupon Grill");
    const created = await t.admin.coupons.create(generic("fries50"));
    expect(created).toMatchObject({ status: "active", config: { codes: { code: "FRIES50" } } });
    const described = await t.admin.coupons.update({ id: created.id, patch: { description: "Half-price fries" } });
    expect(described.config.description).toBe("Half-price fries");
    // A part left out stays as it was; an empty description clears it (what the admin form sends).
    const updated = await t.admin.coupons.update({ id: created.id, patch: { limits: { perCustomer: 1 } } });
    expect(updated.config).toMatchObject({ name: "Generic fries50", limits: { perCustomer: 1 }, benefit: fries });
    expect(updated.config.description).toBe("Half-price fries");
    const cleared = await t.admin.coupons.update({ id: created.id, patch: { description: "" } });
    expect(cleared.config.description ?? "").toBe("");
    expect((await t.admin.coupons.pause({ id: created.id })).status).toBe("paused");
    expect((await t.admin.coupons.list({ status: "paused" })).items.map((c) => c.id)).toEqual([created.id]);
    expect((await t.admin.coupons.resume({ id: created.id })).status).toBe("active");
    expect(await t.admin.coupons.get({ id: created.id })).toMatchObject({ status: "active", name: "Generic fries50" });
    const { items } = await t.admin.audit.list({ limit: 10 });
    expect(items.map((i) => [i.action, i.actor, i.target])).toEqual(
      ["coupons.resume", "coupons.pause", "coupons.update", "coupons.update", "coupons.update", "coupons.create"].map(
        (a) => [a, t.adminKeyId, created.id],
      ),
    );
  });

  it("generates unique codes, imports partner codes from a list or a CSV, and counts them", async () => {
    const t = await tenantCallers(db, "Coupon Grill");
    const unique = await t.admin.coupons.create(welcome);
    expect(await t.admin.coupons.generateCodes({ id: unique.id, count: 1_000 })).toMatchObject({ inserted: 1_000 });

    const imported = await t.admin.coupons.create(partner);
    const fromList = await t.admin.coupons.importCodes({
      id: imported.id,
      codes: ["UBER-0001", "uber-0002", "bad code"],
    });
    expect(fromList).toMatchObject({ inserted: 2, invalid: 1, problems: [{ line: 3, reason: "invalid" }] });
    const fromCsv = await t.admin.coupons.importCodes({
      id: imported.id,
      csvLines: ["code", "UBER-0003", "UBER-0001", "UBER-0003", ""],
    });
    expect(fromCsv).toMatchObject({ inserted: 1, duplicates: 1, taken: 1 });
    expect(fromCsv.problems.map((p) => [p.line, p.reason])).toEqual([
      [3, "taken"],
      [4, "duplicate"],
    ]);

    expect(await t.admin.coupons.stats({ id: unique.id })).toMatchObject({ codes: { total: 1_000, generated: 1_000 } });
    expect(await t.admin.coupons.stats({ id: imported.id })).toMatchObject({ codes: { total: 3, imported: 3 } });
  });

  it("says how many more codes a pattern can take, and refuses a request beyond it whole", async () => {
    const t = await tenantCallers(db, "Coupon Grill");
    // LUNCH-XXXXXXX holds 4,586 codes; another campaign of the pattern has 4,000 of them.
    const lunch = { ...welcome, codes: { kind: "unique" as const, pattern: "LUNCH-XXXXXXX" } };
    const first = await t.admin.coupons.create(lunch);
    const second = await t.admin.coupons.create({ ...lunch, name: "Second lunch" });
    expect(await t.admin.coupons.codeRoom({ id: second.id })).toEqual({
      pattern: "LUNCH-XXXXXXX",
      capacity: 4_586,
      existing: 0,
      available: 4_586,
    });
    await t.admin.coupons.generateCodes({ id: first.id, count: 4_000 });
    const room = { pattern: "LUNCH-XXXXXXX", capacity: 4_586, existing: 4_000, available: 586 };
    expect(await t.admin.coupons.codeRoom({ id: second.id })).toEqual(room);

    const tooMany = await failure(t.admin.coupons.generateCodes({ id: second.id, count: 2_000 }));
    expect(tooMany).toMatchObject({
      code: "UNPROCESSABLE_CONTENT",
      message:
        "pattern LUNCH-XXXXXXX holds at most 4,586 codes and the tenant has 4,000 of them already, any campaign's " +
        "or import's: 586 more fit, not 2,000; for more, use 8 X's, as in LUNCH-XXXXXXXX " +
        "(one code per 1,000,000 combinations keeps codes unguessable)",
    });
    expect(await t.admin.coupons.codeRoom({ id: second.id })).toEqual(room);
    expect(await t.admin.coupons.generateCodes({ id: second.id, count: 586 })).toMatchObject({ inserted: 586 });
    expect(await t.admin.coupons.codeRoom({ id: second.id })).toMatchObject({ existing: 4_586, available: 0 });

    // Only a campaign of unique codes has a pattern; another tenant's campaign is not found.
    const partnerCampaign = await t.admin.coupons.create(partner);
    expect((await failure(t.admin.coupons.codeRoom({ id: partnerCampaign.id }))).code).toBe("UNPROCESSABLE_CONTENT");
    const other = await tenantCallers(db, "Other Grill");
    expect((await failure(other.admin.coupons.codeRoom({ id: first.id }))).code).toBe("NOT_FOUND");
    expect((await failure(t.analyst.coupons.codeRoom({ id: first.id }))).code).toBe("FORBIDDEN");
  });

  it("issues into a customer's wallet once per issue key and lists the wallet", async () => {
    const t = await tenantCallers(db, "Coupon Grill");
    const customerId = await customerOf(t.tenantId);
    const c = await t.admin.coupons.create(welcome);
    const first = await t.admin.coupons.issue({ id: c.id, customerId, issueKey: "goodwill-42" });
    const again = await t.admin.coupons.issue({ id: c.id, customerId, issueKey: "goodwill-42" });
    expect(again).toMatchObject({ id: first.id, code: first.code, created: false });
    const other = await t.admin.coupons.issue({ id: c.id, customerId });
    expect(other.id).not.toBe(first.id);
    expect((await t.admin.coupons.wallet({ customerId })).map((w) => w.id)).toEqual([other.id, first.id]);
    expect(await t.admin.coupons.stats({ id: c.id })).toMatchObject({ issued: 2, codes: { total: 2, generated: 0 } });
    expect(await db.outboxEvent.count({ where: { tenantId: t.tenantId, type: "coupon.issued" } })).toBe(2);
  });

  it("answers with the shared error codes: conflict, unprocessable, invalid input with paths", async () => {
    const t = await tenantCallers(db, "Coupon Grill");
    await t.admin.coupons.create(generic("TWICE"));
    const twice = await failure(t.admin.coupons.create(generic("twice")));
    expect(twice.code).toBe("CONFLICT");

    const short = await t.admin.coupons.create({ ...welcome, codes: { kind: "unique", pattern: "S-XXXX" } });
    const tooMany = await failure(t.admin.coupons.generateCodes({ id: short.id, count: 40_000 }));
    expect(tooMany).toMatchObject({
      code: "UNPROCESSABLE_CONTENT",
      message: expect.stringMatching(
        /^pattern S-XXXX holds at most 0 codes, too few for 40,000: use 8 X's, as in S-XXXXXXXX/,
      ),
    });
    const notImported = await failure(t.admin.coupons.importCodes({ id: short.id, codes: ["ABC-1"] }));
    expect(notImported.code).toBe("UNPROCESSABLE_CONTENT");

    const both = await failure(t.admin.coupons.importCodes({ id: short.id, codes: ["A-1"], csvLines: ["A-1"] }));
    expect(issuesOf(both)).toEqual([{ path: "codes", message: "send either codes or csvLines" }]);
    const badPattern = await failure(
      t.admin.coupons.update({ id: short.id, patch: { codes: { kind: "generic", code: "XMAS1" } } }),
    );
    expect(issuesOf(badPattern)).toEqual([{ path: "codes", message: expect.stringMatching(/unique codes/) }]);
    const badId = await failure(t.admin.coupons.get({ id: "ten_nope" }));
    expect(issuesOf(badId)?.[0]?.path).toBe("id");
  });

  it("is for admin keys only", async () => {
    const t = await tenantCallers(db, "Coupon Grill");
    const c = await t.admin.coupons.create(generic("ADMINONLY"));
    for (const caller of [t.kiosk, t.pos, t.analyst]) {
      expect((await failure(caller.coupons.get({ id: c.id }))).code).toBe("FORBIDDEN");
      expect((await failure(caller.coupons.create(generic("SNEAKY")))).code).toBe("FORBIDDEN");
    }
  });

  it("keeps tenants apart: another tenant's campaign and customer are not found", async () => {
    const mine = await tenantCallers(db, "Coupon Grill");
    const theirs = await tenantCallers(db, "Other Grill");
    const c = await mine.admin.coupons.create(welcome);
    const p = await mine.admin.coupons.create(partner);
    const myCustomer = await customerOf(mine.tenantId);
    const theirCustomer = await customerOf(theirs.tenantId);
    const their = theirs.admin.coupons;
    for (const attempt of [
      () => their.get({ id: c.id }),
      () => their.update({ id: c.id, patch: { name: "Hijacked" } }),
      () => their.pause({ id: c.id }),
      () => their.resume({ id: c.id }),
      () => their.generateCodes({ id: c.id, count: 10 }),
      () => their.importCodes({ id: p.id, codes: ["STOLEN-1"] }),
      () => their.issue({ id: c.id, customerId: theirCustomer }),
      () => their.stats({ id: c.id }),
      () => their.wallet({ customerId: myCustomer }),
    ])
      expect((await failure(attempt())).code).toBe("NOT_FOUND");
    // nor can an admin put their own campaign into another tenant's customer's wallet
    expect((await failure(mine.admin.coupons.issue({ id: c.id, customerId: theirCustomer }))).code).toBe("NOT_FOUND");
    expect((await their.list({})).items).toEqual([]);
    expect(await mine.admin.coupons.get({ id: c.id })).toMatchObject({ name: "Welcome", status: "active" });
    expect(await db.couponCode.count({ where: { tenantId: mine.tenantId } })).toBe(0);
  });
});
