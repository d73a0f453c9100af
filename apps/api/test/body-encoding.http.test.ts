import { createCampaign } from "@regulars/checkout-store";
import type { Db } from "@regulars/db";
import { createLogger } from "@regulars/logger";
import { listen } from "@regulars/runtime";
import { addStaff } from "@regulars/staff";
import { type CreatedTenant, CredentialCache } from "@regulars/tenancy";
import { testDb, testTenant } from "@regulars/testing";
import { Registry } from "prom-client";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createApiApp } from "../src/app.ts";

/**
 * Every body the API reads is UTF-8, as the gateway's are. Bytes that are not, or a body declared in another
 * charset, were read as U+FFFD and stored with a 200: a customer's name other than the one sent, a coupon code no
 * till can type. They are refused before tRPC, sign-in or the code import reads them.
 */
let db: Db;
let server: Awaited<ReturnType<typeof listen>>;
let tenant: CreatedTenant;

beforeAll(async () => {
  db = testDb();
  tenant = await testTenant(db, "Api Body Encoding");
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

const bytes = (...parts: (string | number[])[]) =>
  Uint8Array.from(parts.flatMap((p) => (typeof p === "string" ? [...Buffer.from(p)] : p)));
const send = async (path: string, body: Uint8Array | string, contentType: string, key = tenant.apiKeys.admin) => {
  const res = await fetch(`${server.url}${path}`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": contentType },
    body,
  });
  return { status: res.status, body: (await res.json()) as any };
};
const notUtf8 = { status: 400, body: { code: "invalid_request", issues: [{ path: "(body)" }] } };
const otherCharset = { status: 415, body: { code: "unsupported_media_type" } };
const names = async () =>
  (await db.customer.findMany({ where: { tenantId: tenant.tenantId }, select: { name: true } })).map((c) => c.name);

it("refuses a tRPC call's body that is not UTF-8, or declared in another charset, and stores nothing", async () => {
  const broken = bytes('{"phone":"+48601234567","phoneVerified":true,"name":"Ab', [0xc3, 0x28], '"}');
  expect(await send("/trpc/customers.register", broken, "application/json")).toMatchObject(notUtf8);
  const latin1 = Buffer.from('{"phone":"+48601234568","phoneVerified":true,"name":"Zoë Café"}', "latin1");
  expect(await send("/trpc/customers.register", latin1, "application/json; charset=iso-8859-1")).toMatchObject(
    otherCharset,
  );
  expect(await names()).toEqual([]);

  // UTF-8 under another of its labels, and US-ASCII, are read as sent.
  const utf8 = '{"phone":"+48601234569","phoneVerified":true,"name":"Zoë Café"}';
  expect((await send("/trpc/customers.register", utf8, 'application/json; charset="UTF8"')).status).toBe(200);
  const ascii = '{"phone":"+48601234570","phoneVerified":true,"name":"Zoe"}';
  expect((await send("/trpc/customers.register", ascii, "application/json; charset=us-ascii")).status).toBe(200);
  expect((await names()).sort()).toEqual(["Zoe", "Zoë Café"]);
});

it("refuses a sign-in body that is not UTF-8, or declared in another charset", async () => {
  const email = "encoding@staff.test";
  await addStaff(db, tenant.tenantId, { email, name: "Enc", role: "owner", password: "a long enough pässword" }, "t");
  const broken = bytes(`{"email":"${email}","password":"a long enough p`, [0xe4], 'ssword"}');
  expect(await send("/auth/sign-in", broken, "application/json")).toMatchObject(notUtf8);
  const latin1 = Buffer.from(`{"email":"${email}","password":"a long enough pässword"}`, "latin1");
  expect(await send("/auth/sign-in", latin1, "application/json; charset=iso-8859-1")).toMatchObject(otherCharset);
  const utf8 = `{"email":"${email}","password":"a long enough pässword"}`;
  expect((await send("/auth/sign-in", utf8, "application/json; charset=utf-8")).status).toBe(200);
});

it("refuses a file of coupon codes that is not UTF-8, or declared in another charset, and imports nothing", async () => {
  const campaign = await createCampaign(
    db,
    tenant.tenantId,
    { name: "Encoded", benefit: { kind: "fixed_off", amount: 200 }, codes: { kind: "imported" } },
    "test",
  );
  const path = `/admin/coupon-campaigns/${campaign.id}/codes`;
  expect(await send(path, bytes("code\nSOMMAR-", [0xc4], "R\n"), "text/csv")).toMatchObject(notUtf8);
  expect(await send(path, "code\nPLAIN-1\n", "text/csv; charset=windows-1250")).toMatchObject(otherCharset);
  expect(await db.couponCode.count({ where: { campaignId: campaign.id } })).toBe(0);
  expect(await send(path, "code\nPLAIN-1\n", "text/csv; charset=utf-8")).toMatchObject({
    status: 200,
    body: { inserted: 1 },
  });
});
