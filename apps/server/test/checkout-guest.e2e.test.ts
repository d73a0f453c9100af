import { createDb, type Db } from "@regulars/db";
import { minutesAgo, testDatabaseUrl, testTenant } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { line } from "./checkout-flow.ts";
import { startTestSystem, type TestSystem } from "./system-fixture.ts";

// A guest's coupon at two tills at once, over the gateway, the workers and the API against the real services.

let system: TestSystem;
let db: Db;
beforeAll(async () => {
  system = await startTestSystem({ JOBS_INTERVAL_MS: "3600000" });
  db = createDb({ url: testDatabaseUrl(), poolSize: 2 });
});
afterAll(async () => {
  await system?.dispose();
  await db?.$disconnect();
});

const lines = [line("BURGER", 1200), line("FRIES", 400)];
const basket = { locationId: "store-a", channel: "pos" as const, currency: "EUR", lines };

describe("a guest's coupon code at the till", () => {
  it("two guests on FRIES50's last use: one hold wins, its sale counts the use, the other is refused", async () => {
    const tenant = await testTenant(db, "Guest Fries");
    const admin = system.client(tenant.apiKeys.admin);
    const campaign = await admin.coupons.create.mutate({
      name: "Half fries",
      benefit: { kind: "percent_off", percent: 50, match: { skus: ["FRIES"] } },
      codes: { kind: "generic", code: "FRIES50" },
      limits: { total: 1000 },
    });
    // 999 of its 1,000 uses spent already.
    await db.$executeRaw`UPDATE coupon_campaigns SET used_count = 999 WHERE id = ${campaign.id}`;

    const hold = () => system.post("/v1/checkout/holds", tenant.apiKeys.pos, { basket, couponCodes: ["FRIES50"] });
    const answers = await Promise.all([hold(), hold()]);
    expect(answers.map((a) => a.status).sort()).toEqual([201, 409]);
    const refused = answers.find((a) => a.status === 409)!;
    expect(refused.body.issues[0].message).toMatch(/^limit_reached: /);
    const won = answers.find((a) => a.status === 201)!.body;

    const externalId = `GUEST-${Date.now()}`;
    const sold = lines.map((l, i) => ({ ...l, discount: won.quote.lines[i].discount }));
    const res = await system.post("/v1/transactions", tenant.apiKeys.pos, {
      externalId,
      type: "sale",
      occurredAt: minutesAgo(0.5),
      locationId: "store-a",
      channel: "pos",
      currency: "EUR",
      lines: sold,
      total: sold.reduce((s, l) => s + l.unitPrice - l.discount, 0),
      couponCodes: ["FRIES50"],
      holdId: won.holdId,
    });
    expect(res.status).toBe(202);
    const record = await system.processed(tenant.apiKeys.admin, externalId);
    expect(record.couponCodes).toEqual([{ code: "FRIES50", counted: true, refusal: null }]);
    const [row] = await db.$queryRaw<{ used_count: bigint }[]>`
      SELECT used_count FROM coupon_campaigns WHERE id = ${campaign.id}`;
    expect(row!.used_count).toBe(1000n);
  });
});
