import { asAdminView } from "@regulars/api-client";
import type { Quote } from "@regulars/contracts";
import { createDb, type Db } from "@regulars/db";
import { devMessages } from "@regulars/ledger-store";
import type { CreatedTenant } from "@regulars/tenancy";
import { testDatabaseUrl, testTenant } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Line, line, postSale } from "./checkout-flow.ts";
import { startTestSystem, type TestSystem } from "./system-fixture.ts";

// Cashback at the till over the gateway: wallet cash spent at a POS is confirmed by a one-time code sent to
// the customer's phone (recorded by the development message sink) before the sale spends it.

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

const basket = { locationId: "store-a", channel: "pos" as const, currency: "EUR", lines: [line("BURGER", 1200)] };

const sale = (tenant: CreatedTenant, phone: string, lines: Line[], extra: Record<string, unknown> = {}) =>
  postSale(system, tenant, phone, lines, { channel: "pos", ...extra }).then((r) => r.record);

const walletBalance = async (tenant: CreatedTenant, phone: string) =>
  ((await system.post("/v1/checkout/quote", tenant.apiKeys.pos, { customer: { phone }, basket })).body as Quote).wallet
    .balance;

describe("cashback at the till", () => {
  it("holds wallet cash, sends the customer a code, and spends the cash once the till confirms the code", async () => {
    const tenant = await testTenant(db, "Cashback Burgers");
    const phone = "+48600800200";
    await sale(tenant, phone, [line("WATER", 200)]); // the first visit enrols the customer
    const admin = system.client(tenant.apiKeys.admin);
    const customer = asAdminView(await admin.customers.get.query({ phone }));
    await admin.customers.adjust.mutate({
      customerId: customer.id,
      unit: "wallet",
      amount: 2000,
      reason: "cashback for a late order",
    });
    expect(await walletBalance(tenant, phone)).toBe(2000);

    const held = await system.post("/v1/checkout/holds", tenant.apiKeys.pos, {
      customer: { phone },
      basket,
      wallet: 500,
    });
    expect(held.status).toBe(201);
    expect(held.body.confirmation).toEqual({ required: true, expiresAt: expect.any(String), sentTo: "+48•••••200" });
    const [sms] = await devMessages(db, tenant.tenantId, customer.id);
    expect(sms).toMatchObject({ channel: "sms", recipient: phone });
    const code = /\b(\d{6})\b/.exec(sms!.body)![1]!;
    const confirm = (body: unknown) =>
      system.post(`/v1/checkout/holds/${held.body.holdId}/confirm`, tenant.apiKeys.pos, body);

    const wrong = await confirm({ code: String((Number(code) + 1) % 1_000_000).padStart(6, "0") });
    expect(wrong).toMatchObject({
      status: 422,
      body: { code: "confirmation_failed", message: "wrong code: 4 attempts left" },
    });
    expect(await confirm({ code: "12345" })).toMatchObject({ status: 400, body: { issues: [{ path: "code" }] } });
    const confirmed = await confirm({ code });
    expect(confirmed).toMatchObject({
      status: 200,
      body: { holdId: held.body.holdId, status: "held", confirmed: true },
    });

    const quote = held.body.quote as Quote;
    await sale(
      tenant,
      phone,
      basket.lines.map((l, i) => ({ ...l, discount: quote.lines[i]!.discount })),
      { holdId: held.body.holdId },
    );
    expect(await walletBalance(tenant, phone)).toBe(1500);
  });

  it("the till's tRPC checkout confirms the same way", async () => {
    const tenant = await testTenant(db, "Cashback Cafe");
    const phone = "+48600800300";
    await sale(tenant, phone, [line("WATER", 200)]);
    const admin = system.client(tenant.apiKeys.admin);
    const customer = asAdminView(await admin.customers.get.query({ phone }));
    await admin.customers.adjust.mutate({ customerId: customer.id, unit: "wallet", amount: 800, reason: "cashback" });
    const till = system.client(tenant.apiKeys.pos).checkout;
    const hold = await till.hold.mutate({ customer: { phone }, basket, wallet: 800 });
    expect(hold.confirmation).toMatchObject({ required: true, sentTo: "+48•••••300" });
    const code = /\b(\d{6})\b/.exec((await devMessages(db, tenant.tenantId, customer.id))[0]!.body)![1]!;
    const wrong = await till.confirm
      .mutate({ holdId: hold.holdId, code: code === "000000" ? "000001" : "000000" })
      .catch((e: { data?: { error?: { code?: string } } }) => e.data?.error?.code);
    expect(wrong).toBe("confirmation_failed");
    expect(await till.confirm.mutate({ holdId: hold.holdId, code })).toEqual({
      holdId: hold.holdId,
      status: "held",
      confirmed: true,
    });
  });
});
