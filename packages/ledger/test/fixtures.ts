import { ProgrammeConfig, TransactionMessage } from "@regulars/contracts";
import { type LoyaltyState, type ProgrammeAt, type SalePlan, saleRecordOf } from "../src/index.ts";

/**
 * Builders for the planners' inputs. Programmes and messages go through the real schemas, so tests see
 * the defaults and validation the worker sees. Dates are plain data: nothing here reads the clock.
 */

export const WARSAW = "Europe/Warsaw";
export const TENANT = "ten_ledger_unit";
export const CUSTOMER = "cus_0000000001";

/** A Wednesday noon in Warsaw (UTC+1 in March): no weekday rule applies, and the local day is 2024-03-06. */
export const NOON = "2024-03-06T12:00:00+01:00";
export const NOON_DAY = "2024-03-06";

export const programme = (config: Record<string, unknown>): ProgrammeAt => ({
  version: 1,
  config: ProgrammeConfig.parse(config),
  timezone: WARSAW,
});

/** 1 point per 1.00 paid; alcohol never earns. */
export const base = { id: "base", type: "base_rate", pointsPerUnit: 1, unitMinor: 100 } as const;
export const noAlcohol = { id: "no-alcohol", type: "exclusion", match: { tags: ["alcohol"] } } as const;

/** Points earned qualify; gold doubles line points. Rewards: silver 50, gold 100. */
export const tiers = {
  basis: "points_earned",
  window: "lifetime",
  levels: [
    { id: "bronze", name: "Bronze", threshold: 0 },
    { id: "silver", name: "Silver", threshold: 200, benefits: { rewardPoints: 50 } },
    { id: "gold", name: "Gold", threshold: 500, benefits: { earnMultiplier: 2, rewardPoints: 100 } },
  ],
} as const;

/** One stamp per coffee bought; the fifth completes the card and pays 40 points. */
export const coffeeCard = {
  id: "coffee",
  name: "Coffee card",
  per: "item",
  match: { tags: ["coffee"] },
  stampsRequired: 5,
  rewardPoints: 40,
} as const;

export interface LineSpec {
  sku: string;
  unitPrice: number;
  quantity?: number;
  discount?: number;
  tags?: string[];
  lineNo?: number;
}

const txLines = (lines: LineSpec[]) =>
  lines.map((l) => ({
    sku: l.sku,
    name: l.sku,
    quantity: l.quantity ?? 1,
    unitPrice: l.unitPrice,
    discount: l.discount ?? 0,
    tags: l.tags ?? [],
    ...(l.lineNo === undefined ? {} : { lineNo: l.lineNo }),
  }));

const totalOf = (lines: LineSpec[]) =>
  lines.reduce((sum, l) => sum + (l.quantity ?? 1) * l.unitPrice - (l.discount ?? 0), 0);

/** A member's sale; the transaction id is `tx_<externalId>`. */
export const saleMessage = (externalId: string, lines: LineSpec[], occurredAt = NOON): TransactionMessage =>
  TransactionMessage.parse({
    tenantId: TENANT,
    transactionId: `tx_${externalId}`,
    receivedAt: occurredAt,
    transaction: {
      externalId,
      type: "sale",
      occurredAt,
      locationId: "warsaw-centrum",
      channel: "pos",
      customer: { id: CUSTOMER },
      currency: "PLN",
      lines: txLines(lines),
      total: totalOf(lines),
    },
  });

export const refundMessage = (
  externalId: string,
  refundOf: string,
  lines: LineSpec[],
  occurredAt = "2024-03-08T18:00:00+01:00",
): TransactionMessage =>
  TransactionMessage.parse({
    tenantId: TENANT,
    transactionId: `tx_${externalId}`,
    receivedAt: occurredAt,
    transaction: {
      externalId,
      type: "refund",
      refundOf,
      occurredAt,
      locationId: "warsaw-centrum",
      channel: "pos",
      customer: { id: CUSTOMER },
      currency: "PLN",
      lines: txLines(lines),
      total: totalOf(lines),
    },
  });

export const member = (more: Partial<LoyaltyState> = {}): LoyaltyState => ({
  customerId: CUSTOMER,
  tenantId: TENANT,
  tier: null,
  tierSince: null,
  tierByFloor: false,
  tierChanged: false,
  tierFloor: null,
  dateOfBirth: null,
  lastActivityAt: null,
  earnedByDay: new Map(),
  qualifying: 0,
  qualifyingWindow: null,
  stamps: new Map(),
  ...more,
});

/** The record a refund reads of a sale, built from its plan the way the worker builds it (also of a refund, to refuse it). */
export const recordOf = (m: TransactionMessage, plan: SalePlan | null, customerId: string | null = CUSTOMER) => ({
  ...saleRecordOf(m, customerId, plan),
  type: m.transaction.type,
});
