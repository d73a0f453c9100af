import type { CreatedTenant } from "@regulars/tenancy";
import { minutesAgo } from "@regulars/testing";
import { expect } from "vitest";
import type { TestSystem } from "./system-fixture.ts";

/** A receipt line of one item. */
export const line = (sku: string, unitPrice: number, discount = 0) => ({
  sku,
  name: sku,
  quantity: 1,
  unitPrice,
  discount,
  tags: [] as string[],
});
export type Line = ReturnType<typeof line>;

let serial = 0;

/**
 * Posts a sale through the gateway for a customer by phone, with the key of its channel (a kiosk key for a kiosk
 * sale, else a till's: the key decides the channel), and waits until the ledger processed it.
 */
export async function postSale(
  system: TestSystem,
  tenant: CreatedTenant,
  phone: string,
  lines: Line[],
  extra: Record<string, unknown> = {},
) {
  const externalId = `CHK-${Date.now()}-${++serial}`;
  const body = {
    externalId,
    type: "sale",
    occurredAt: minutesAgo(1),
    locationId: "store-a",
    channel: "kiosk",
    customer: { phone },
    currency: "EUR",
    lines,
    total: lines.reduce((s, l) => s + l.unitPrice - l.discount, 0),
    ...extra,
  };
  const res = await system.post("/v1/transactions", tenant.apiKeys[body.channel === "kiosk" ? "kiosk" : "pos"], body);
  expect(res.status).toBe(202);
  return { body, record: await system.processed(tenant.apiKeys.admin, externalId) };
}
