import { CODE_ALPHABET } from "@regulars/contracts";
import type { Db } from "@regulars/db";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CODES_CSV_HEADER,
  codeLinesFromCsv,
  GENERATION_CHUNK,
  generateCampaignCodes,
  importCodes,
  streamCodesCsv,
} from "../src/index.ts";
import { ACTOR, campaignOf, couponTenant, drain, generic, imported, rejection, unique } from "./coupons-fixtures.ts";

let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

describe("generateCampaignCodes", () => {
  it("inserts 100,000 distinct codes of the pattern in one call, a transaction per chunk", async () => {
    const { tenantId } = await couponTenant(db);
    const c = await campaignOf(db, tenantId, unique("WELCOME-XXXXXXXX"));
    const result = await generateCampaignCodes(db, tenantId, c.id, 100_000, ACTOR);
    console.info(`generated and inserted 100,000 codes in ${result.ms} ms`);
    expect(result.inserted).toBe(100_000);
    const letters = `[${CODE_ALPHABET}]`;
    const [row] = await db.$queryRaw<{ n: bigint; distinct: bigint; shaped: bigint }[]>`
      SELECT count(*) AS n, count(DISTINCT code) AS distinct,
        count(*) FILTER (WHERE code ~ ${`^WELCOME-${letters}{8}$`}) AS shaped
      FROM coupon_codes WHERE tenant_id = ${tenantId} AND campaign_id = ${c.id}`;
    expect(row).toEqual({ n: 100_000n, distinct: 100_000n, shaped: 100_000n });
    expect(await db.couponCode.count({ where: { tenantId, source: "generated", maxUses: 1 } })).toBe(100_000);
    // One audit row per transaction of GENERATION_CHUNK codes, each written with the codes it tells of.
    const audits = await db.auditLog.findMany({ where: { tenantId, action: "coupons.generateCodes" } });
    expect(audits).toHaveLength(100_000 / GENERATION_CHUNK);
    for (const audit of audits)
      expect(audit).toMatchObject({ target: c.id, details: { count: GENERATION_CHUNK, pattern: "WELCOME-XXXXXXXX" } });
  });

  it("makes no new codes for a request repeated with its key, even at once; another count is a conflict", async () => {
    const { tenantId } = await couponTenant(db);
    const c = await campaignOf(db, tenantId, unique("AGAIN-XXXXXXXX"));
    const first = await generateCampaignCodes(db, tenantId, c.id, 12_000, ACTOR, { requestKey: "press-1:0" });
    expect(first.inserted).toBe(12_000);
    // The answer was lost and the admin retries: the same key is answered from the record.
    const again = await generateCampaignCodes(db, tenantId, c.id, 12_000, ACTOR, { requestKey: "press-1:0" });
    expect(again.inserted).toBe(12_000);
    expect(await db.couponCode.count({ where: { tenantId, campaignId: c.id } })).toBe(12_000);
    const audits = await db.auditLog.findMany({ where: { tenantId, action: "coupons.generateCodes" } });
    expect(audits.map((a) => a.details)).toEqual(
      [5_000, 5_000, 2_000].map((count) => ({
        count,
        pattern: "AGAIN-XXXXXXXX",
        requestKey: "press-1:0",
        asked: 12_000,
      })),
    );

    const conflict = await rejection(
      generateCampaignCodes(db, tenantId, c.id, 500, ACTOR, { requestKey: "press-1:0" }),
    );
    expect(conflict).toMatchObject({
      code: "idempotency_conflict",
      message: expect.stringMatching(/12,000 codes, not 500/),
    });

    const racing = await Promise.all(
      [1, 2, 3].map(() => generateCampaignCodes(db, tenantId, c.id, 7_000, ACTOR, { requestKey: "press-2:0" })),
    );
    expect(racing.map((r) => r.inserted)).toEqual([7_000, 7_000, 7_000]);
    expect(await db.couponCode.count({ where: { tenantId, campaignId: c.id } })).toBe(19_000);
    // Without a key every call is a request of its own.
    await generateCampaignCodes(db, tenantId, c.id, 100, ACTOR);
    await generateCampaignCodes(db, tenantId, c.id, 100, ACTOR);
    expect(await db.couponCode.count({ where: { tenantId, campaignId: c.id } })).toBe(19_200);
  });

  it("gives two campaigns on one pattern their own codes, the count of each in full", async () => {
    const { tenantId } = await couponTenant(db);
    // A draw that hits the other campaign's code is drawn again (rare now that a pattern stays sparse).
    const first = await campaignOf(db, tenantId, unique("AB-XXXXXXXX"));
    const second = await campaignOf(db, tenantId, unique("AB-XXXXXXXX", { name: "Second" }));
    await generateCampaignCodes(db, tenantId, first.id, 4_000, ACTOR);
    expect((await generateCampaignCodes(db, tenantId, second.id, 4_000, ACTOR)).inserted).toBe(4_000);
    expect(await db.couponCode.count({ where: { tenantId, campaignId: second.id } })).toBe(4_000);
    expect(await db.couponCode.count({ where: { tenantId } })).toBe(8_000);
  });

  it("counts every campaign's codes of a pattern against its capacity: one space, however many campaigns", async () => {
    const { tenantId } = await couponTenant(db);
    // W-XXXXXXX holds 4,586 codes; the first campaign takes 4,000 of them.
    const first = await campaignOf(db, tenantId, unique("W-XXXXXXX"));
    const second = await campaignOf(db, tenantId, unique("W-XXXXXXX", { name: "Second" }));
    // Codes of other shapes stay out of the count: a longer run, another prefix.
    await generateCampaignCodes(db, tenantId, (await campaignOf(db, tenantId, unique("W-XXXXXXXX"))).id, 1_000, ACTOR);
    await generateCampaignCodes(db, tenantId, (await campaignOf(db, tenantId, unique("V-XXXXXXX"))).id, 1_000, ACTOR);
    await generateCampaignCodes(db, tenantId, first.id, 4_000, ACTOR);

    const e = await rejection(generateCampaignCodes(db, tenantId, second.id, 1_000, ACTOR));
    const message =
      "pattern W-XXXXXXX holds at most 4,586 codes and the tenant has 4,000 of them already, any campaign's or " +
      "import's: 586 more fit, not 1,000; for more, use 8 X's, as in W-XXXXXXXX " +
      "(one code per 1,000,000 combinations keeps codes unguessable)";
    expect(e).toMatchObject({ code: "unprocessable", message, issues: [{ path: "codes.pattern", message }] });
    expect(await db.couponCode.count({ where: { tenantId, campaignId: second.id } })).toBe(0);
    // What is left of the space is the second campaign's to take.
    expect((await generateCampaignCodes(db, tenantId, second.id, 586, ACTOR)).inserted).toBe(586);
    expect((await rejection(generateCampaignCodes(db, tenantId, first.id, 1, ACTOR))).code).toBe("unprocessable");
  });

  it("refuses more codes than the pattern holds with its safety factor, counting the codes made before", async () => {
    const { tenantId } = await couponTenant(db);
    const c = await campaignOf(db, tenantId, unique("SHORT-XXXXXXX"));
    await generateCampaignCodes(db, tenantId, c.id, 4_000, ACTOR);
    const e = await rejection(generateCampaignCodes(db, tenantId, c.id, 1_000, ACTOR));
    // The request and the codes there already, each as it is: not their sum as if it were the request.
    const message =
      "pattern SHORT-XXXXXXX holds at most 4,586 codes and the tenant has 4,000 of them already, any campaign's or " +
      "import's: 586 more fit, not 1,000; for more, use 8 X's, as in SHORT-XXXXXXXX " +
      "(one code per 1,000,000 combinations keeps codes unguessable)";
    expect(e).toMatchObject({ code: "unprocessable", message, issues: [{ path: "codes.pattern", message }] });
    expect(await db.couponCode.count({ where: { tenantId } })).toBe(4_000);
  });

  it("refuses a campaign without unique codes, a bad count and another tenant's campaign", async () => {
    const { tenantId } = await couponTenant(db);
    const { tenantId: other } = await couponTenant(db);
    const g = await campaignOf(db, tenantId, generic("ONLYONE"));
    const u = await campaignOf(db, tenantId, unique("MINE-XXXXX"));
    expect(await rejection(generateCampaignCodes(db, tenantId, g.id, 10, ACTOR))).toMatchObject({
      code: "unprocessable",
    });
    expect((await rejection(generateCampaignCodes(db, tenantId, u.id, 1_000_001, ACTOR))).code).toBe("invalid_request");
    expect((await rejection(generateCampaignCodes(db, other, u.id, 10, ACTOR))).code).toBe("not_found");
  });
});

describe("importCodes", () => {
  it("imports the good lines and reports each bad one with its line number", async () => {
    const { tenantId } = await couponTenant(db);
    const taken = await campaignOf(db, tenantId, generic("TAKEN-1"));
    const c = await campaignOf(db, tenantId, imported({ limits: { perCode: 2 } }));
    const report = await importCodes(
      db,
      tenantId,
      c.id,
      ["partner-001", "PARTNER-002", "", "no spaces allowed", "Partner-001", "taken-1", "P\u2013003", "x"],
      ACTOR,
    );
    expect(report).toMatchObject({ received: 7, inserted: 3, invalid: 2, duplicates: 1, taken: 1 });
    expect(report.problems).toEqual([
      { line: 4, value: "no spaces allowed", reason: "invalid", message: expect.stringMatching(/letters, digits/) },
      { line: 5, value: "Partner-001", reason: "duplicate", message: "repeats line 1" },
      {
        line: 6,
        value: "TAKEN-1",
        reason: "taken",
        message: "already a code of another coupon campaign of this tenant",
      },
      { line: 8, value: "x", reason: "invalid", message: expect.any(String) },
    ]);
    const codes = await db.couponCode.findMany({ where: { tenantId, campaignId: c.id }, orderBy: { code: "asc" } });
    expect(codes.map((k) => [k.code, k.source, k.maxUses])).toEqual([
      ["P-003", "imported", 2],
      ["PARTNER-001", "imported", 2],
      ["PARTNER-002", "imported", 2],
    ]);
    expect(await db.couponCode.findUnique({ where: { tenantId_code: { tenantId, code: "TAKEN-1" } } })).toMatchObject({
      campaignId: taken.id,
    });

    const again = await importCodes(db, tenantId, c.id, ["PARTNER-002", "PARTNER-004"], ACTOR);
    expect(again).toMatchObject({ inserted: 1, taken: 1 });
    expect(again.problems).toEqual([
      { line: 1, value: "PARTNER-002", reason: "taken", message: "already a code of this campaign" },
    ]);
  });

  it("reads the numbered lines of a CSV file: header, quotes, other columns, blank lines", () => {
    const csv = '\uFEFFcode,note\r\n"ABC-1","first"\r\n\r\nabc-2;x\n  "A""B" \nDEF-3\n';
    expect(codeLinesFromCsv(csv)).toEqual([
      { line: 2, value: "ABC-1" },
      { line: 4, value: "abc-2" },
      { line: 5, value: 'A"B' },
      { line: 6, value: "DEF-3" },
    ]);
    expect(codeLinesFromCsv("ONLY-1\nONLY-2")).toEqual([
      { line: 1, value: "ONLY-1" },
      { line: 2, value: "ONLY-2" },
    ]);
  });

  it("refuses a campaign whose codes are not imported", async () => {
    const { tenantId } = await couponTenant(db);
    const u = await campaignOf(db, tenantId, unique("NOTIMP-XXXX"));
    expect((await rejection(importCodes(db, tenantId, u.id, ["ABC-123"], ACTOR))).code).toBe("unprocessable");
  });
});

describe("streamCodesCsv", () => {
  it("pages through every code of the campaign in code order, and reads back as an import", async () => {
    const { tenantId } = await couponTenant(db);
    const c = await campaignOf(db, tenantId, unique("EXP-XXXXXXX"));
    const other = await campaignOf(db, tenantId, unique("EXP-XXXXXXX", { name: "Other" }));
    await generateCampaignCodes(db, tenantId, c.id, 2_500, ACTOR);
    await generateCampaignCodes(db, tenantId, other.id, 1_000, ACTOR);

    const chunks = await drain(await streamCodesCsv(db, tenantId, c.id, { pageSize: 1_000 }));
    expect(chunks).toHaveLength(4); // the header and three pages
    expect(chunks[0]).toBe(CODES_CSV_HEADER);
    const rows = chunks.join("").trimEnd().split("\n").slice(1);
    expect(rows).toHaveLength(2_500);
    expect(rows[0]).toMatch(/^EXP-[A-Z0-9]{7},0,1,\d{4}-\d\d-\d\dT[\d:.]+Z$/);
    const codes = rows.map((r) => r.split(",")[0]!);
    expect(codes).toEqual([...codes].sort());
    const stored = await db.couponCode.findMany({ where: { tenantId, campaignId: c.id }, select: { code: true } });
    expect(new Set(codes)).toEqual(new Set(stored.map((s) => s.code)));

    const partner = await campaignOf(db, tenantId, imported());
    const exported = chunks.join("");
    const report = await importCodes(db, tenantId, partner.id, codeLinesFromCsv(exported), ACTOR);
    // every exported code is known to the tenant already, reported at its line of the file
    expect(report).toMatchObject({ received: 2_500, inserted: 0, taken: 2_500 });
    expect(report.problems[0]).toMatchObject({ line: 2, value: codes[0], reason: "taken" });
  });

  it("fails before the first chunk for another tenant's campaign; an empty campaign is just the header", async () => {
    const { tenantId } = await couponTenant(db);
    const { tenantId: other } = await couponTenant(db);
    const c = await campaignOf(db, tenantId, imported());
    expect((await rejection(streamCodesCsv(db, other, c.id))).code).toBe("not_found");
    expect(await drain(await streamCodesCsv(db, tenantId, c.id))).toEqual([CODES_CSV_HEADER]);
  });
});
