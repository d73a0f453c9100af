import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { asAdminView } from "@regulars/api-client";
import type { Quote } from "@regulars/contracts";
import { createDb, type Db } from "@regulars/db";
import type { CreatedTenant } from "@regulars/tenancy";
import { testTenant } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { campaignDatabase, eventually } from "./campaign-fixture.ts";
import { type Line, line, postSale } from "./checkout-flow.ts";
import { startTestSystem, type TestSystem } from "./system-fixture.ts";

// Cashback at the till over the gateway: wallet cash spent at a POS is confirmed by a one-time code sent to the
// customer's phone before the sale spends it. The code goes out as a real deployment sends it: queued with the hold,
// sent by the message sender through the configured HTTP SMS provider, here an SMS gateway on loopback.

interface ReceivedSms {
  to: string;
  text: string;
  from: string;
  reference: string;
}

/** An SMS gateway with a JSON API: keeps what it is asked to send, answers with its id. */
async function startSmsGateway(): Promise<{ url: string; received: ReceivedSms[]; close(): Promise<void> }> {
  const received: ReceivedSms[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      received.push(JSON.parse(Buffer.concat(chunks).toString("utf8")) as ReceivedSms);
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ id: `sms-${received.length}` }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/send`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

let system: TestSystem;
let db: Db;
let database: Awaited<ReturnType<typeof campaignDatabase>>;
let sms: Awaited<ReturnType<typeof startSmsGateway>>;
beforeAll(async () => {
  // A database of its own: the message sender works on every tenant of its database.
  database = await campaignDatabase();
  sms = await startSmsGateway();
  system = await startTestSystem({
    DATABASE_URL: database.url,
    JOBS_INTERVAL_MS: "3600000",
    WORKERS: "ledger,events,analytics,profiles,jobs,webhooks,messages",
    MESSAGE_PROVIDER_SMS: JSON.stringify({ kind: "http-sms", url: sms.url, from: "Regulars" }),
  });
  db = createDb({ url: database.url, poolSize: 2 });
});
afterAll(async () => {
  await system?.dispose();
  await db?.$disconnect();
  await sms?.close();
  await database?.drop();
});

/** The code the SMS gateway was asked to send to `phone`, once it was. */
const codeSentTo = (phone: string) =>
  eventually(`a code sent to ${phone}`, async () => {
    const text = sms.received.findLast((m) => m.to === phone)?.text;
    return text ? /\b(\d{6})\b/.exec(text)![1]! : undefined;
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
    const code = await codeSentTo(phone);
    const [sent] = sms.received.filter((m) => m.to === phone);
    expect(sent).toEqual({
      to: phone,
      from: "Regulars",
      reference: expect.stringMatching(/^msg_/),
      text: expect.stringMatching(
        /^\d{6} is your Cashback Burgers \S+ code to pay €5\.00 from your wallet\. It expires in 5 minutes\./,
      ),
    });
    // Sent once, and its text not kept: the messages table says where it went, not what it said.
    const message = await eventually("the code's message recorded as sent", async () => {
      const [row] = await db.message.findMany({ where: { tenantId: tenant.tenantId, transactional: true } });
      return row?.status === "sent" ? row : undefined;
    });
    expect(message).toMatchObject({ customerId: customer.id, provider: "http-sms", toAddress: phone, attempts: 1 });
    expect(JSON.stringify(message.content)).not.toContain(code);
    // The admin's history of the customer shows it as the code it was, not as a campaign's message.
    const { items } = await admin.messages.list.query({ customerId: customer.id, limit: 5 });
    expect(items).toEqual([
      expect.objectContaining({
        id: message.id,
        channel: "sms",
        status: "sent",
        transactional: true,
        campaignId: null,
      }),
    ]);
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
    const code = await codeSentTo(phone);
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
