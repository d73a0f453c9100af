import { createDb, type Db } from "@regulars/db";
import type { CreatedTenant } from "@regulars/tenancy";
import { daysAgo, eventually, saleBody, testDatabaseUrl, testTenant } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestSystem, type TestSystem } from "./system-fixture.ts";

/** What the stores cannot hold, or must not believe, is refused with a 400 before anything is accepted. */
let system: TestSystem;
let db: Db;
let tenant: CreatedTenant;

beforeAll(async () => {
  system = await startTestSystem();
  db = createDb({ url: testDatabaseUrl(), poolSize: 2 });
  tenant = await testTenant(db, "Door Burgers");
});
afterAll(async () => {
  await system?.dispose();
  await db?.$disconnect();
});

const secondsFromNow = (s: number) => new Date(Date.now() + s * 1000).toISOString();

describe("occurredAt must lie in the accepted window (35 days back, 5 minutes ahead by default)", () => {
  const refused: [string, () => string][] = [
    ["36 days ago: older than an offline upload may be", () => daysAgo(36)],
    ["10 minutes ahead: beyond clock skew", () => secondsFromNow(600)],
    ["next year", () => secondsFromNow(366 * 86_400)],
  ];
  it.each(refused)("refuses a sale dated %s", async (_name, when) => {
    const sale = saleBody({ occurredAt: when() });
    const res = await system.post("/v1/transactions", tenant.apiKeys.pos, sale);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({
      code: "occurred_at_out_of_range",
      issues: [expect.objectContaining({ path: "occurredAt" })],
    });
    expect(await db.transaction.count({ where: { tenantId: tenant.tenantId, externalId: sale.externalId } })).toBe(0);
  });

  it.each(refused)("refuses an event dated %s", async (_name, when) => {
    const res = await system.post("/v1/events", tenant.apiKeys.kiosk, {
      eventId: `ev-${Math.random()}`,
      type: "app_open",
      occurredAt: when(),
    });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe("occurred_at_out_of_range");
  });

  const accepted: [string, () => string][] = [
    ["34 days ago (an offline till catching up)", () => daysAgo(34)],
    ["now", () => new Date().toISOString()],
    ["4 minutes ahead (a till whose clock runs fast)", () => secondsFromNow(240)],
  ];
  it.each(accepted)("accepts a sale dated %s", async (_name, when) => {
    const res = await system.post("/v1/transactions", tenant.apiKeys.pos, saleBody({ occurredAt: when() }));
    expect(res.status).toBe(202);
  });
});

describe("the largest values the contract allows are stored exactly, one beyond is refused with the field", () => {
  const longest = (n: number, unit = "x") => unit.repeat(n);
  it("a sale at every upper bound is processed: money and points exact in Postgres and ClickHouse", async () => {
    const lines = [
      // 1,000 × 10^9 minor units: the 10^12 transaction ceiling in one line.
      {
        sku: longest(64, "S"),
        name: longest(100, "🍔"),
        category: longest(64, "c"),
        tags: Array.from({ length: 20 }, (_, i) => `${i}`.padEnd(40, "t")),
        quantity: 1_000,
        unitPrice: 1_000_000_000,
        discount: 0,
      },
      ...Array.from({ length: 499 }, (_, i) => ({
        sku: `FREE-${i}`,
        name: "Crème brûlée",
        quantity: 10_000,
        unitPrice: 0,
        discount: 0,
        tags: [],
      })),
    ];
    const sale = saleBody({
      customer: { externalIdentity: { provider: "apple", subject: longest(255, "a") } },
      lines,
      total: 1_000_000_000_000,
      couponCodes: Array.from({ length: 20 }, (_, i) => `${i}`.padEnd(64, "C")),
    });
    const res = await system.post("/v1/transactions", tenant.apiKeys.pos, sale);
    expect(res.status).toBe(202);
    const tx = await system.processed(tenant.apiKeys.admin, sale.externalId);
    expect(tx).toMatchObject({
      total: 1_000_000_000_000,
      pointsAwarded: 10_000_000_000,
      balance: { points: 10_000_000_000 },
    });
    expect(tx.lines).toHaveLength(500);
    expect(tx.lines[0]).toMatchObject({ name: longest(100, "🍔"), amount: 1_000_000_000_000 });
    const fact = await eventually(
      "in ClickHouse",
      async () => (await system.analytics!.getTransaction(tenant.tenantId, tx.id)) ?? undefined,
    );
    expect(fact).toMatchObject({ total: 1_000_000_000_000, points: 10_000_000_000, lineCount: 500 });
  });

  const line = { sku: "A", name: "A", quantity: 1, unitPrice: 100, discount: 0, tags: [] };
  const beyond: [string, Record<string, unknown>, string][] = [
    ["quantity 10,001", saleBody({ lines: [{ ...line, quantity: 10_001 }], total: 1_000_100 }), "lines.0.quantity"],
    [
      "unit price 10^9 + 1",
      saleBody({ lines: [{ ...line, unitPrice: 1_000_000_001 }], total: 1_000_000_001 }),
      "lines.0.unitPrice",
    ],
    [
      "total 10^12 + 1",
      saleBody({
        lines: [
          { ...line, quantity: 1, unitPrice: 1_000_000_000 },
          { ...line, quantity: 999, unitPrice: 1_000_000_000 },
          { ...line, unitPrice: 1 },
        ],
        total: 1_000_000_000_001,
      }),
      "total",
    ],
    ["a 65-character sku", saleBody({ lines: [{ ...line, sku: longest(65) }], total: 100 }), "lines.0.sku"],
    ["a 201-character name", saleBody({ lines: [{ ...line, name: longest(201) }], total: 100 }), "lines.0.name"],
    [
      "21 tags",
      saleBody({ lines: [{ ...line, tags: Array.from({ length: 21 }, (_, i) => `t${i}`) }], total: 100 }),
      "lines.0.tags",
    ],
    ["501 lines", saleBody({ lines: Array.from({ length: 501 }, () => line), total: 50_100 }), "lines"],
    [
      "a 256-character identity",
      saleBody({ customer: { externalIdentity: { provider: "apple", subject: longest(256) } } }),
      "customer.externalIdentity.subject",
    ],
    ["NUL in a sku", saleBody({ lines: [{ ...line, sku: "A\u0000B" }], total: 100 }), "lines.0.sku"],
    [
      "an unpaired surrogate in a name",
      saleBody({ lines: [{ ...line, name: "Burger \ud83c" }], total: 100 }),
      "lines.0.name",
    ],
  ];
  it.each(beyond)("refuses %s with 400 naming the field, and stores nothing", async (_name, body, path) => {
    const res = await system.post("/v1/transactions", tenant.apiKeys.pos, body);
    expect(res.status).toBe(400);
    expect(res.body.issues.map((i: { path: string }) => i.path)).toContain(path);
    expect(
      await db.transaction.count({ where: { tenantId: tenant.tenantId, externalId: body.externalId as string } }),
    ).toBe(0);
  });

  it("event properties: 8 levels and 8 KiB are stored as sent; one level deeper, a control character in a key or a 65-character key are refused", async () => {
    let deep: unknown = "🌶️ spicy";
    for (let i = 0; i < 7; i++) deep = { [`level${i}`]: deep };
    const event = {
      eventId: `ev-deep-${Date.now()}`,
      type: "form_submitted",
      occurredAt: new Date().toISOString(),
      customer: { phone: "+48600999001" },
      properties: { deep, pad: longest(7_000) },
    };
    expect((await system.post("/v1/events", tenant.apiKeys.kiosk, event)).status).toBe(202);
    const refused: [Record<string, unknown>, string][] = [
      [{ deep: { d: deep } }, "properties.deep.d"],
      [{ "ke\u0007y": 1 }, "properties.ke\u0007y"],
      [{ [longest(65)]: 1 }, "properties"],
      [{ pad: longest(8_200) }, "properties"],
    ];
    for (const [properties, path] of refused) {
      const res = await system.post("/v1/events", tenant.apiKeys.kiosk, {
        ...event,
        eventId: `ev-${Math.random()}`,
        properties,
      });
      expect(res.status).toBe(400);
      expect(res.body.issues.map((i: { path: string }) => i.path).some((p: string) => p.startsWith(path))).toBe(true);
    }
  });
});
