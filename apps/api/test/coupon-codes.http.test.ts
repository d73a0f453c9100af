import { createCampaign, generateCampaignCodes } from "@regulars/checkout-store";
import type { Db } from "@regulars/db";
import { createLogger } from "@regulars/logger";
import { listen } from "@regulars/runtime";
import { type CreatedTenant, CredentialCache } from "@regulars/tenancy";
import { testDb, testTenant } from "@regulars/testing";
import { Registry } from "prom-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiApp } from "../src/app.ts";

/** The API on a real port, as the admin app and curl reach it. */
let db: Db;
let server: Awaited<ReturnType<typeof listen>>;
let mine: CreatedTenant;
let theirs: CreatedTenant;

beforeAll(async () => {
  db = testDb();
  mine = await testTenant(db, "Export Grill");
  theirs = await testTenant(db, "Other Grill");
  const app = createApiApp({
    db,
    credentials: new CredentialCache(db, 0),
    log: createLogger({ level: "silent" }),
    registry: new Registry(),
    readiness: {},
  });
  server = await listen(app.fetch, "127.0.0.1", 0);
});
afterAll(async () => {
  await server?.close();
  await db?.$disconnect();
});

const benefit = { kind: "fixed_off" as const, amount: 200 };
const get = (path: string, key?: string) =>
  fetch(`${server.url}${path}`, { headers: key ? { authorization: `Bearer ${key}` } : {} });
const upload = (campaignId: string, body: string, key = mine.apiKeys.admin, type = "text/csv") =>
  fetch(`${server.url}/admin/coupon-campaigns/${campaignId}/codes`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": type },
    body,
  });

describe("GET /admin/coupon-campaigns/{id}/codes.csv", () => {
  it("streams every code of the campaign as CSV to an admin key", async () => {
    const c = await createCampaign(
      db,
      mine.tenantId,
      { name: "Export", benefit, codes: { kind: "unique", pattern: "EXPORT-XXXXXXXX" } },
      "test",
    );
    await generateCampaignCodes(db, mine.tenantId, c.id, 25_000, "test");
    const res = await get(`/admin/coupon-campaigns/${c.id}/codes.csv`, mine.apiKeys.admin);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(res.headers.get("content-disposition")).toBe(`attachment; filename="${c.id}-codes.csv"`);
    // No length up front: the body is streamed in chunks as the pages are read.
    expect(res.headers.get("content-length")).toBeNull();
    expect(res.headers.get("transfer-encoding")).toBe("chunked");

    let chunks = 0;
    let text = "";
    const decoder = new TextDecoder();
    for await (const chunk of res.body!) {
      chunks++;
      text += decoder.decode(chunk, { stream: true });
    }
    expect(chunks).toBeGreaterThan(1);
    const [header, ...rows] = text.trimEnd().split("\n");
    expect(header).toBe("code,uses,max_uses,created_at");
    expect(rows).toHaveLength(25_000);
    expect(new Set(rows.map((r) => r.split(",")[0])).size).toBe(25_000);
    expect(rows[0]).toMatch(/^EXPORT-[A-Z0-9]{8},0,1,\S+Z$/);
  });

  it("refuses a missing key, a non-admin key, a bad id and another tenant's campaign in the one error shape", async () => {
    const c = await createCampaign(
      db,
      mine.tenantId,
      { name: "Private", benefit, codes: { kind: "imported" } },
      "test",
    );
    const path = `/admin/coupon-campaigns/${c.id}/codes.csv`;
    const cases: [Response, number, string][] = [
      [await get(path), 401, "unauthorized"],
      [await get(path, "rk_admin_not-a-real-key"), 401, "unauthorized"],
      [await get(path, mine.apiKeys.kiosk), 403, "forbidden"],
      [await get("/admin/coupon-campaigns/ten_nope/codes.csv", mine.apiKeys.admin), 400, "invalid_request"],
      [await get(path, theirs.apiKeys.admin), 404, "not_found"],
    ];
    for (const [res, status, code] of cases) {
      expect(res.status, code).toBe(status);
      expect(await res.json()).toEqual(
        expect.objectContaining({ code, message: expect.any(String), requestId: expect.stringMatching(/^req_/) }),
      );
    }
  });
});

describe("POST /admin/coupon-campaigns/{id}/codes", () => {
  it("imports a partner's CSV file and reports its bad lines by number", async () => {
    const c = await createCampaign(
      db,
      mine.tenantId,
      { name: "Partner", benefit, codes: { kind: "imported" } },
      "test",
    );
    const lines = Array.from({ length: 20_000 }, (_, i) => `PARTNER-${String(i).padStart(6, "0")},note`);
    const file = `code,note\n${lines.join("\n")}\nnot a code\nPARTNER-000007\n`;
    const res = await upload(c.id, file);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      received: 20_002,
      inserted: 20_000,
      invalid: 1,
      duplicates: 1,
      problems: [
        { line: 20_002, reason: "invalid" },
        { line: 20_003, reason: "duplicate", message: "repeats line 9" },
      ],
    });
    expect(await db.couponCode.count({ where: { tenantId: mine.tenantId, campaignId: c.id } })).toBe(20_000);

    expect((await upload(c.id, '{"codes":[]}', mine.apiKeys.admin, "application/json")).status).toBe(415);
    expect((await upload(c.id, "ABC-123", theirs.apiKeys.admin)).status).toBe(404);
    expect((await upload(c.id, "ABC-123", mine.apiKeys.pos)).status).toBe(403);
  });
});
