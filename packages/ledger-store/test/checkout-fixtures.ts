import { CouponCampaignConfig, type HoldRequest, type TransactionMessage } from "@regulars/contracts";
import { type Db, withTransaction } from "@regulars/db";
import { newId } from "@regulars/ids";
import { ProgrammeCache } from "@regulars/programme";
import { applyTransactionBatch, claimHeldHolds, type HoldDeps, placeHold, postMovements } from "../src/index.ts";
import { base, ledgerDeps, line, tenantWithProgramme, txMessage } from "./batch-fixtures.ts";
import { smsInTransaction } from "./sms-fixture.ts";

/** 1 point per €1; 100 points = €5, at least 50, at most €10 per order; a 20-point free veg puff. */
export const checkoutProgramme = {
  rules: [base],
  redemption: { points: 100, value: 500, minPoints: 50, step: 10, maxDiscountPerOrder: 1000 },
  rewards: [
    { id: "veg-puff", name: "Free veg puff", points: 20, benefit: { kind: "free_item", match: { skus: ["PUFF"] } } },
  ],
};

export async function checkoutTenant(db: Db, customers = 1, programme: Record<string, unknown> = checkoutProgramme) {
  const tenantId = await tenantWithProgramme(db, programme, "Checkout Burgers");
  const ids = Array.from({ length: customers }, () => newId("customer"));
  await db.customer.createMany({ data: ids.map((id) => ({ id, tenantId, createdVia: "test" })) });
  const deps: HoldDeps = { db, programmes: new ProgrammeCache(db, 0), sendConfirmationSms: smsInTransaction };
  return { tenantId, customers: ids, deps };
}

/** Spendable points for a customer, as a bonus (no lot waiting), in a lot that expires at `expiresAt` (or never). */
export async function givePoints(
  db: Db,
  tenantId: string,
  customerId: string,
  points: number,
  expiresAt: Date | null = null,
) {
  // One instant for both: a lot available later than it was earned would be pending, not spendable.
  const anHourAgo = new Date(Date.now() - 3_600_000);
  await withTransaction(db, (tx) =>
    postMovements(tx, [
      {
        tenantId,
        customerId,
        kind: "bonus",
        unit: "points",
        amount: points,
        idempotencyKey: `gift:${newId("event")}`,
        occurredAt: anHourAgo,
        lot: { availableAt: anHourAgo, expiresAt },
      },
    ]),
  );
}

/** A customer of a `checkoutTenant` given 300 points, 200 of them held (€10 off the €16 `basket`). */
export async function holdOf200Points(db: Db) {
  const { tenantId, customers, deps } = await checkoutTenant(db);
  const customerId = customers[0]!;
  await givePoints(db, tenantId, customerId, 300);
  const placed = await placeHold(deps, tenantId, holdRequest(customerId, { points: 200 }));
  return { tenantId, customerId, deps, placed };
}

/** The hold claimed for `sale`, as the gateway claims it when it accepts the sale. */
export const claimForSale = (db: Db, tenantId: string, holdId: string, sale: TransactionMessage) =>
  claimHeldHolds(db, tenantId, [{ holdId, externalId: sale.transaction.externalId }], new Date(sale.receivedAt));

/** A coupon campaign with one generic code, written as the admin store would. */
export async function genericCoupon(db: Db, tenantId: string, code: string, config: Record<string, unknown>) {
  const parsed = CouponCampaignConfig.parse({ name: code, codes: { kind: "generic", code }, ...config });
  const id = newId("couponCampaign");
  await db.$executeRaw`
    INSERT INTO coupon_campaigns (id, tenant_id, name, status, config)
    VALUES (${id}, ${tenantId}, ${parsed.name}, 'active', ${JSON.stringify(parsed)}::jsonb)`;
  await db.$executeRaw`
    INSERT INTO coupon_codes (tenant_id, code, campaign_id, source, max_uses)
    VALUES (${tenantId}, ${code}, ${id}, 'generic', ${parsed.limits.perCode ?? null})`;
  return id;
}

export const basket = (lines = [line("BURGER", 1200), line("FRIES", 400)]) => ({
  locationId: "store-001",
  channel: "kiosk" as const,
  currency: "EUR",
  lines,
});

export const holdRequest = (customerId: string, extra: Partial<HoldRequest> = {}): HoldRequest => ({
  customer: { id: customerId },
  basket: basket(),
  couponCodes: [],
  rewardIds: [],
  points: 0,
  wallet: 0,
  ttlSeconds: 900,
  ...extra,
});

/** The sale a terminal posts after a hold: the quote's line discounts on its lines. */
export function saleWithHold(
  tenantId: string,
  customerId: string,
  holdId: string,
  quoteLines: { discount: number }[],
  extra: Record<string, unknown> = {},
): TransactionMessage {
  const lines = basket().lines.map((l, i) => ({ ...l, discount: quoteLines[i]?.discount ?? 0 }));
  return txMessage(tenantId, { customer: { id: customerId }, channel: "kiosk", lines, holdId, ...extra });
}

export const apply = (db: Db, messages: TransactionMessage[]) => applyTransactionBatch(ledgerDeps(db), messages);
