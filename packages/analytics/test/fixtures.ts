import { randomBytes } from "node:crypto";
import type { BehaviouralEventFact, TransactionFact } from "../src/index.ts";

// Facts shaped like the stream consumer's, unique per call so tests never see each other's rows.

export const tenant = "tn_cafe";

export const uniqueId = (prefix: string) => `${prefix}_${randomBytes(6).toString("hex")}`;

export function transactionFact(overrides: Partial<TransactionFact> = {}): TransactionFact {
  return {
    tenantId: tenant,
    transactionId: uniqueId("tx"),
    externalId: uniqueId("pos"),
    type: "sale",
    refundOf: null,
    occurredAt: "2024-05-10T12:00:00.000Z",
    locationId: "loc_main",
    channel: "pos",
    customerId: "cus_anna",
    currency: "EUR",
    total: 1150,
    discountTotal: 50,
    points: 11,
    lines: [
      {
        lineNo: 2,
        sku: "CROISSANT",
        name: "Croissant",
        category: null,
        tags: [],
        quantity: 1,
        unitPrice: 350,
        discount: 0,
        amount: 350,
      },
      {
        lineNo: 1,
        sku: "FLAT-WHITE",
        name: "Flat white",
        category: "coffee",
        tags: ["hot", "milk"],
        quantity: 2,
        unitPrice: 425,
        discount: 50,
        amount: 800,
      },
    ],
    ...overrides,
  };
}

export function eventFact(overrides: Partial<BehaviouralEventFact> = {}): BehaviouralEventFact {
  return {
    tenantId: tenant,
    eventId: uniqueId("ev"),
    type: "app_open",
    occurredAt: "2024-05-10T08:15:00+02:00",
    customerId: "cus_ben",
    locationId: null,
    channel: "app",
    properties: {},
    ...overrides,
  };
}
