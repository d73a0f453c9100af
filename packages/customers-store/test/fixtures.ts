import { ProgrammeConfig, TransactionInput, type TransactionMessage } from "@regulars/contracts";
import type { Db } from "@regulars/db";
import { stableId } from "@regulars/ids";
import { applyTransactionBatch, outboxEventsOf } from "@regulars/ledger-store";
import { ProgrammeCache } from "@regulars/programme";
import { testTenant } from "@regulars/testing";
import type { ChangeOrigin } from "../src/index.ts";

export const appOrigin = (now: Date, actor: string | null = "key_app"): ChangeOrigin => ({ actor, source: "app", now });

/** A tenant whose programme (1 point per 1.00, points kept 12 months) has been in force since the epoch. */
export async function loyaltyTenant(db: Db, name = "Profile Burgers", extra: Record<string, unknown> = {}) {
  const { tenantId, apiKeys } = await testTenant(db, name);
  await db.programmeVersion.create({
    data: {
      tenantId,
      version: 2,
      effectiveFrom: new Date(0),
      config: ProgrammeConfig.parse({
        rules: [{ id: "base", type: "base_rate", pointsPerUnit: 1, unitMinor: 100 }],
        expiry: { kind: "after_earning", months: 12 },
        ...extra,
      }),
      createdBy: "test",
    },
  });
  return { tenantId, apiKeys };
}

let counter = 0;
/**
 * A till's sale (or refund) as the gateway puts it on the stream, `minutesAgo` before `now`: of the customer
 * with `phone`, or of `customerId` as an integrator that stored the id names it.
 */
export function tillMessage(
  tenantId: string,
  body: { phone?: string; customerId?: string; total: number; type?: "sale" | "refund"; refundOf?: string },
  now: Date,
  minutesAgo = 10,
): TransactionMessage {
  const lines = [{ sku: "MEAL", name: "Meal", quantity: 1, unitPrice: body.total, discount: 0, tags: [] }];
  const transaction = TransactionInput.parse({
    externalId: `PROFILE-${now.getTime()}-${++counter}`,
    type: body.type ?? "sale",
    ...(body.refundOf ? { refundOf: body.refundOf } : {}),
    occurredAt: new Date(now.getTime() - minutesAgo * 60_000).toISOString(),
    locationId: "store-001",
    channel: "pos",
    currency: "EUR",
    lines,
    total: body.total,
    ...(body.customerId
      ? { customer: { id: body.customerId } }
      : body.phone
        ? { customer: { phone: body.phone } }
        : {}),
  });
  return {
    tenantId,
    transactionId: stableId("transaction", tenantId, transaction.externalId),
    receivedAt: now.toISOString(),
    transaction,
  };
}

/** Applies messages as a ledger worker does, and fails loudly when one was not applied. */
export async function applyAtTill(db: Db, now: Date, ...messages: TransactionMessage[]) {
  const { outcomes } = await applyTransactionBatch(
    { db, programmes: new ProgrammeCache(db, 0), now: () => now },
    messages,
  );
  for (const o of outcomes) if (o.kind !== "done") throw new Error(`not applied: ${JSON.stringify(o)}`);
}

export async function outboxOf(db: Db, tenantId: string, type: string) {
  return (await outboxEventsOf(db, tenantId, type)).map((e) => e.payload as Record<string, unknown>);
}
