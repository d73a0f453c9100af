import type { Analytics, TransactionFact } from "@regulars/analytics";
import { insertLoyaltyEvents } from "@regulars/analytics";
import { createCampaign, issueCoupon } from "@regulars/checkout-store";
import {
  ProgrammeConfig,
  RegisterCustomerRequest,
  TransactionInput,
  type TransactionMessage,
} from "@regulars/contracts";
import { registerCustomer, savePushToken, setConsents } from "@regulars/customers-store";
import type { Db, TransactionModel } from "@regulars/db";
import { stableId } from "@regulars/ids";
import { applyTransactionBatch } from "@regulars/ledger-store";
import { ProgrammeCache } from "@regulars/programme";
import { testTenant } from "@regulars/testing";

/** A tenant whose programme (1 point per 1.00) has been in force since the epoch. */
export async function privacyTenant(db: Db, name = "Privacy Burgers") {
  const { tenantId, apiKeys } = await testTenant(db, name);
  await db.programmeVersion.create({
    data: {
      tenantId,
      version: 2,
      effectiveFrom: new Date(0),
      config: ProgrammeConfig.parse({ rules: [{ id: "base", type: "base_rate", pointsPerUnit: 1, unitMinor: 100 }] }),
      createdBy: "test",
    },
  });
  return { tenantId, apiKeys };
}

let counter = 0;
const unique = () => `${Date.now().toString(36)}${(++counter).toString(36)}${Math.random().toString(36).slice(2, 6)}`;

function tillMessage(
  tenantId: string,
  body: { phone: string; total: number; type?: "sale" | "refund"; refundOf?: string },
  now: Date,
): TransactionMessage {
  const transaction = TransactionInput.parse({
    externalId: `PRIV-${unique()}`,
    type: body.type ?? "sale",
    ...(body.refundOf ? { refundOf: body.refundOf } : {}),
    occurredAt: new Date(now.getTime() - 10 * 60_000).toISOString(),
    locationId: "store-001",
    channel: "pos",
    currency: "EUR",
    lines: [{ sku: "MEAL", name: "Meal", quantity: 1, unitPrice: body.total, discount: 0, tags: [] }],
    total: body.total,
    customer: { phone: body.phone },
  });
  return {
    tenantId,
    transactionId: stableId("transaction", tenantId, transaction.externalId),
    receivedAt: now.toISOString(),
    transaction,
  };
}

async function applyAtTill(db: Db, now: Date, ...messages: TransactionMessage[]) {
  const { outcomes } = await applyTransactionBatch(
    { db, programmes: new ProgrammeCache(db, 0), now: () => now },
    messages,
  );
  for (const o of outcomes) if (o.kind !== "done") throw new Error(`not applied: ${JSON.stringify(o)}`);
}

/** The fact the analytics writer makes of a stored transaction (one line, as the fixture's till sends). */
export function transactionFact(t: TransactionModel, customerId: string): TransactionFact {
  return {
    tenantId: t.tenantId,
    transactionId: t.id,
    externalId: t.externalId,
    type: t.type as "sale" | "refund",
    refundOf: t.refundOf,
    occurredAt: t.occurredAt.toISOString(),
    locationId: t.locationId,
    channel: t.channel,
    customerId,
    currency: t.currency,
    total: Number(t.total),
    discountTotal: 0,
    points: Number(t.pointsAwarded),
    lines: [
      {
        lineNo: 0,
        sku: "MEAL",
        name: "Meal",
        category: null,
        tags: [],
        quantity: 1,
        unitPrice: Number(t.total),
        discount: 0,
        amount: Number(t.total),
      },
    ],
  };
}

export interface SeededCustomer {
  customerId: string;
  phone: string;
  email: string;
  name: string;
  cardNumber: string;
  saleId: string;
  refundId: string;
}

/**
 * An app customer with everything a customer can have: a sale and a partial refund at the till, consents
 * with a change of mind, a push device, a coupon in the wallet, a checkout hold with its confirmation code
 * and message, a used kiosk token, and their facts in ClickHouse (sale, refund, a behavioural event whose
 * properties hold the e-mail, loyalty events).
 */
export async function seedCustomer(db: Db, analytics: Analytics, tenantId: string, now: Date): Promise<SeededCustomer> {
  const tag = unique();
  const digits = String(Math.floor(Math.random() * 1e6)).padStart(6, "0");
  const phone = `+48601${digits}`;
  const email = `erika.${tag}@example.org`;
  const name = `Erika Mustermann ${tag}`;
  const cardNumber = `CARD-${tag}`.slice(0, 40);
  const origin = { actor: "key_app", source: "app", now };
  const registration = await registerCustomer(
    db,
    tenantId,
    RegisterCustomerRequest.parse({
      externalIdentity: { provider: "app", subject: `sub-${tag}` },
      phone,
      phoneVerified: true,
      email,
      name,
      dateOfBirth: "1990-04-01",
      consents: [
        { channel: "email", purpose: "marketing", granted: true },
        { channel: "push", purpose: "marketing", granted: true },
      ],
    }),
    origin,
  );
  const customerId = registration.customer.id;
  await db.customer.update({ where: { id: customerId }, data: { cardNumber } });
  await db.customerIdentity.create({ data: { tenantId, kind: "card", value: cardNumber, customerId } });
  await setConsents(
    db,
    tenantId,
    customerId,
    { consents: [{ channel: "email", purpose: "marketing", granted: false }] },
    origin,
  );
  await savePushToken(db, tenantId, customerId, { deviceId: `dev-${tag}`, platform: "ios", token: `tok-${tag}` }, now);

  const sale = tillMessage(tenantId, { phone, total: 2000 }, now);
  const refund = tillMessage(
    tenantId,
    { phone, total: 500, type: "refund", refundOf: sale.transaction.externalId },
    now,
  );
  await applyAtTill(db, now, sale);
  await applyAtTill(db, now, refund);

  const campaign = await createCampaign(
    db,
    tenantId,
    {
      name: `Fries ${tag}`,
      benefit: { kind: "fixed_off", amount: 100 },
      codes: { kind: "generic", code: `FRIES${tag}`.slice(0, 30).toUpperCase() },
    },
    "key_admin",
  );
  await issueCoupon(db, {
    tenantId,
    customerId,
    campaignId: campaign.id,
    issueKey: `k-${tag}`,
    issuedBy: "key_admin",
    source: "admin",
  });

  const holdId = `hld_${tag}`;
  await db.$executeRaw`
    INSERT INTO checkout_holds (id, tenant_id, customer_id, status, points, wallet, quote, location_id, channel, expires_at)
    VALUES (${holdId}, ${tenantId}, ${customerId}, 'released', 5, 0, '{}'::jsonb, 'store-001', 'pos', ${now})`;
  await db.$executeRaw`
    INSERT INTO hold_confirmations (hold_id, tenant_id, code_hash, max_attempts, expires_at, sent_to)
    VALUES (${holdId}, ${tenantId}, 'hash', 5, ${now}, ${phone})`;
  await db.$executeRaw`
    INSERT INTO dev_messages (id, tenant_id, customer_id, channel, recipient, body)
    VALUES (${`msg_${tag}`}, ${tenantId}, ${customerId}, 'sms', ${phone}, ${`Hi ${name}, your code is 123456`})`;
  await db.$executeRaw`
    INSERT INTO used_identity_tokens (tenant_id, jti, customer_id, used_at, expires_at)
    VALUES (${tenantId}, ${`jti_${tag}`}, ${customerId}, ${now}, ${now})`;

  const [saleRow, refundRow] = await Promise.all(
    [sale, refund].map((m) => db.transaction.findUniqueOrThrow({ where: { id: m.transactionId } })),
  );
  await analytics.insertTransactions([saleRow!, refundRow!].map((t) => transactionFact(t, customerId)));
  await analytics.insertEvents([
    {
      tenantId,
      eventId: `ev_${tag}`,
      type: "profile_viewed",
      occurredAt: new Date(now.getTime() - 60_000).toISOString(),
      customerId,
      locationId: null,
      channel: "app",
      properties: { email, name },
    },
  ]);
  await insertLoyaltyEvents(analytics, [
    {
      type: "points.earned",
      id: `pe_${tag}`,
      tenantId,
      customerId,
      occurredAt: new Date(now.getTime() - 10 * 60_000).toISOString(),
      points: 20,
      balance: 20,
      movementKind: "earn",
      transactionId: saleRow!.id,
      pending: false,
    },
  ]);
  return { customerId, phone, email, name, cardNumber, saleId: saleRow!.id, refundId: refundRow!.id };
}
