import { randomUUID } from "node:crypto";
import type { DbTx } from "../src/index.ts";

/** An id no other test (or earlier run against the same server) uses. */
export const uniqueId = (prefix: string): string => `${prefix}_${randomUUID().replaceAll("-", "").slice(0, 20)}`;

/** One row for every model, linked the way the ledger worker links them; returns what was written. */
export async function writeOneOfEverything(tx: DbTx) {
  const tenantId = uniqueId("ten");
  const tenant = await tx.tenant.create({
    data: { id: tenantId, name: "Schema Burgers", timezone: "Europe/Warsaw", currency: "EUR" },
  });
  const apiKey = await tx.apiKey.create({
    data: {
      id: uniqueId("key"),
      tenantId,
      role: "pos",
      label: "till 1",
      hash: uniqueId("hash"),
      prefix: "rk_pos_ab12",
    },
  });
  const programme = await tx.programmeVersion.create({
    data: {
      tenantId,
      version: 1,
      effectiveFrom: new Date("2026-01-01T00:00:00Z"),
      config: { earn: { pointsPerEuro: 1 }, tiers: [] },
      createdBy: "test",
    },
  });
  const product = await tx.product.create({
    data: { tenantId, sku: "FRIES-L", name: "Fries large", category: "sides", tags: ["vegetarian", "hot"], price: 350 },
  });
  const customer = await tx.customer.create({
    data: {
      id: uniqueId("cus"),
      tenantId,
      name: "Ada",
      email: "ada@example.test",
      phone: "+48500100200",
      cardNumber: "C-0001",
      dateOfBirth: new Date("1990-05-17"),
      createdVia: "kiosk",
    },
  });
  const identity = await tx.customerIdentity.create({
    data: { tenantId, kind: "phone", value: "+48500100200", customerId: customer.id },
  });
  const transaction = await tx.transaction.create({
    data: {
      id: uniqueId("txn"),
      tenantId,
      externalId: uniqueId("POS1"),
      type: "sale",
      occurredAt: new Date("2026-11-26T11:31:05.123Z"),
      locationId: "store-017",
      channel: "kiosk",
      customerId: customer.id,
      currency: "EUR",
      total: 1450,
      discountTotal: 40,
      pointsAwarded: 14,
      programmeVersion: 1,
      explanation: { rules: [{ rule: "base", points: 14 }] },
      receivedAt: new Date("2026-11-26T11:31:06.000Z"),
    },
  });
  const line = await tx.transactionLine.create({
    data: {
      transactionId: transaction.id,
      lineNo: 1,
      tenantId,
      sku: "FRIES-L",
      name: "Fries large",
      category: null,
      tags: [],
      quantity: 2,
      unitPrice: 350,
      discount: 0,
      amount: 700,
    },
  });
  const points = await tx.ledgerAccount.create({ data: { tenantId, owner: customer.id, kind: "points", balance: 14 } });
  const issued = await tx.ledgerAccount.create({
    data: { tenantId, owner: tenantId, kind: "points_issued", balance: -14 },
  });
  const movement = await tx.ledgerMovement.create({
    data: {
      id: uniqueId("mov"),
      tenantId,
      customerId: customer.id,
      kind: "earn",
      unit: "points",
      amount: 14,
      idempotencyKey: `earn:${transaction.id}`,
      transactionId: transaction.id,
      occurredAt: transaction.occurredAt,
    },
  });
  const credit = await tx.ledgerEntry.create({
    data: { movementId: movement.id, tenantId, accountId: points.id, amount: 14 },
  });
  const debit = await tx.ledgerEntry.create({
    data: { movementId: movement.id, tenantId, accountId: issued.id, amount: -14 },
  });
  return {
    tenant,
    apiKey,
    programme,
    product,
    customer,
    identity,
    transaction,
    line,
    points,
    issued,
    movement,
    credit,
    debit,
  };
}
