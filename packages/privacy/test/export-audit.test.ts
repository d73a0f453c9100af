import { recordAudit } from "@regulars/audit";
import { MessageClicked, RegisterCustomerRequest } from "@regulars/contracts";
import { registerCustomer } from "@regulars/customers-store";
import type { Db } from "@regulars/db";
import { outboxBatch, outboxItem, writeOutbox } from "@regulars/ledger-store";
import { testAnalytics, testDb } from "@regulars/testing";
import { enqueueDeliveries, type FanOutEvent } from "@regulars/webhooks-store";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exportCustomer, exportPostgres, postgresTextHits } from "../src/index.ts";
import { privacyTenant } from "./fixtures.ts";

let db: Db;
let analytics: Awaited<ReturnType<typeof testAnalytics>>;
beforeAll(async () => {
  db = testDb();
  analytics = await testAnalytics();
});
afterAll(async () => {
  await analytics?.dispose();
  await db?.$disconnect();
});

let n = 0;
const tag = () => `${Date.now().toString(36)}${(++n).toString(36)}`;

async function member(tenantId: string, now: Date) {
  const email = `ada.${tag()}@mail.example`;
  const { customer } = await registerCustomer(
    db,
    tenantId,
    RegisterCustomerRequest.parse({ externalIdentity: { provider: "brand", subject: `s-${tag()}` }, email }),
    { actor: "key_app", source: "app", now },
  );
  return { customerId: customer.id, email };
}

/** A click on a link the template rendered with the customer's e-mail in it, as the messages store announces it. */
const clickOf = (tenantId: string, who: { customerId: string; email: string }, now: Date) => {
  const messageId = `msg_${tag()}`;
  return MessageClicked.parse({
    tenantId,
    customerId: who.customerId,
    messageId,
    campaignId: "cmp_spring",
    channel: "email",
    occurredAt: now.toISOString(),
    type: "message.clicked",
    id: `message.clicked:${messageId}:${tag()}`,
    url: `https://brand.example/p?email=${who.email}`,
  });
};

describe("export of the audit log", () => {
  it("holds admin actions that name the customer in their details, not only as their target", async () => {
    const { tenantId } = await privacyTenant(db, "Audit Export");
    const { customer } = await registerCustomer(
      db,
      tenantId,
      RegisterCustomerRequest.parse({ externalIdentity: { provider: "brand", subject: `audit-${Math.random()}` } }),
      { actor: "key_app", source: "app", now: new Date() },
    );
    // As issueCouponAsAdmin (checkout-store coupons/wallet.ts) records an admin's coupon issued to the customer.
    await recordAudit(db, {
      tenantId,
      actor: "key_admin",
      action: "coupons.issue",
      target: "cpc_campaign",
      details: { customerId: customer.id, walletCouponId: "wcp_1", issueKey: "k-1" },
    });
    await recordAudit(db, {
      tenantId,
      actor: "key_admin",
      action: "coupons.issue",
      target: "cpc_campaign",
      details: { customerId: "cus_someoneelse0000", walletCouponId: "wcp_2", issueKey: "k-2" },
    });
    const pg = (await exportPostgres(db, tenantId, [customer.id])) as Record<string, Record<string, unknown>[]>;
    expect(pg.audit_log!.map((r) => r.action)).toEqual(["coupons.issue"]);
  });
});

describe("export of delivery copies", () => {
  it("holds the customer's clicked links in the outbox and webhook deliveries, none of another's", async () => {
    const { tenantId } = await privacyTenant(db, "Copies Export");
    const now = new Date();
    const [ada, other] = [await member(tenantId, now), await member(tenantId, now)];
    await db.webhookEndpoint.create({
      data: {
        id: `whe_${tag()}`,
        tenantId,
        url: "https://hooks.example.invalid/regulars",
        eventTypes: ["*"],
        secret: "whsec_test",
        createdBy: "key_admin",
      },
    });
    const [own, batched, others] = [
      clickOf(tenantId, ada, now),
      clickOf(tenantId, ada, now),
      clickOf(tenantId, other, now),
    ];
    // A row of its own, and a batch row that also holds the other customer's click.
    await writeOutbox(db, [outboxItem(own)]);
    await writeOutbox(db, outboxBatch([batched, others].map(outboxItem)));
    await enqueueDeliveries(db, [own, batched, others] as FanOutEvent[], now);
    expect(await postgresTextHits(db, [ada.email])).toEqual(
      expect.arrayContaining(["outbox_events.payload", "webhook_deliveries.payload"]),
    );

    const doc = await exportCustomer({ db, analytics }, tenantId, ada.customerId, { actor: "key_admin", now });
    const rows = doc.postgres as Record<string, { payload: Record<string, unknown> }[]>;
    const outbox = rows.outbox_events!.map((r) => r.payload);
    expect(outbox).toHaveLength(2);
    expect(outbox).toContainEqual(own);
    const batch = outbox.find((p) => Array.isArray(p.events)) as { events: { payload: { url: string } }[] };
    expect(batch.events.map((e) => e.payload.url)).toEqual([batched.url]);
    const deliveries = rows.webhook_deliveries!.map((r) => r.payload.data as { id: string; url: string });
    expect(deliveries.map((d) => d.id).sort()).toEqual([own.id, batched.id].sort());
    expect(deliveries.every((d) => d.url.includes(ada.email))).toBe(true);
    expect(JSON.stringify(doc)).not.toContain(other.email);
    expect(doc.notExported).not.toHaveProperty("outbox_events");
    expect(doc.notExported).not.toHaveProperty("webhook_deliveries");
  });
});
