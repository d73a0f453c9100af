import type { RefundedEntry, SaleEffects, SaleUpgrade } from "@regulars/rules";

/** What the engine needs to know about a customer, loaded once per batch and updated in memory. */
export interface LoyaltyState {
  customerId: string;
  tenantId: string;
  tier: string | null;
  tierSince: Date | null;
  /**
   * The tier was given by an admin's floor, not reached by qualifying: judged when its floor ends, not a window
   * after `tierSince` (customer_loyalty.tier_by_floor). Every tier the ledger sets is a qualified one, except a
   * refund's return to the tier its sale left, which keeps what that tier was.
   */
  tierByFloor: boolean;
  tierChanged: boolean;
  /**
   * An admin-assigned tier the customer counts as holding at least, for sales stamped before `until`.
   * Only `setTierFloor` and the tier-downgrade job write it; the ledger worker reads it.
   */
  tierFloor: { tier: string; until: Date } | null;
  dateOfBirth: string | null;
  lastActivityAt: Date | null;
  /** Points earned per local day (only loaded when a per-day cap exists). */
  earnedByDay: Map<string, number>;
  /** The tier basis (points earned, spend or orders) over the tier window, when tiers are configured. */
  qualifying: number;
  /**
   * The window `qualifying` covers, [since, until) (until null: open-ended); null without tiers. A refund takes
   * from `qualifying` only when its sale lies inside it: a sale of another window never counted in it.
   */
  qualifyingWindow: { since: Date; until: Date | null } | null;
  /**
   * Only when the customer's transactions in the batch fall in more than one tier window (a December sale uploaded
   * late beside January ones; a rolling window, which moves with every sale): the window of each transaction whose
   * own is not `qualifyingWindow`, by its time (ms), with the basis over it. Each transaction is judged on its own
   * window's running total, as in a batch of its own, so one batch ends as any split of it ends (`qualifying-window`).
   * Calendar-year windows also hold the year before a past sale's year, under that year's last instant, when a
   * refund or a late sale must know whether the year-end run kept the tier on it (`pastSaleQualifying`).
   */
  windowsByTime?: Map<number, WindowTotal>;
  stamps: Map<string, { stamps: number; completed: number; changed: boolean }>;
  /**
   * The customer's tier upgrades made by sales that no refund took back (`upgradesInForce` picks those the tier
   * held rests on): a refund takes back every one its sale's removal leaves unbacked, not only its sale's own.
   * Loaded for batches that refund; a sale that upgrades then adds its own. Absent (not loaded), a refund knows only
   * its sale's, from the sale's record; present, it is every upgrade in force, so one missing was taken back.
   */
  upgrades?: SaleUpgrade[];
  /**
   * The same upgrades, loaded only where a transaction of the batch is dated before the customer's `tierSince` (and
   * `upgrades` was not loaded), plus every upgrade a sale of the batch makes: what `tierHeldAt` walks back to find
   * the tier such a late sale earns at. Not read by refunds, which trust `upgrades` alone.
   */
  tierHistory?: SaleUpgrade[];
}

/** A tier window, [since, until) (until null: open-ended), and the tier basis over it so far. */
export interface WindowTotal {
  since: Date;
  until: Date | null;
  qualifying: number;
}

/** What a refund needs to know about the sale it refunds, and about that sale's earlier refunds. */
export interface SaleRecord {
  id: string;
  tenantId: string;
  externalId: string;
  type: "sale" | "refund";
  customerId: string | null;
  /** When the sale happened: which tier window its points, spend or order counted in. */
  occurredAt: Date;
  total: number;
  points: number;
  /**
   * By lineNo: sku, paid amount, the points the line earned and whether it was eligible (from the stored
   * explanation): a refund of an ineligible line takes back none of the basket-level points. `price` is quantity ×
   * unitPrice, before any discount: what a line the checkout paid for entirely is refunded by (`refundedPrices`).
   */
  lines: { sku: string; amount: number; price: number; points: number; eligible: boolean }[];
  effects: SaleEffects;
  /** Money already refunded per line, and in all. */
  refundedPerLine: number[];
  /** Per line that cost no money, the price its refunds named (`pricesNamedAfter`); absent: none named. */
  pricesNamed?: number[];
  /**
   * The line numbers its refunds named, one sale line per refund line (`refunds_line_no`): what voids a sale that cost
   * no money as an order (`orderVoided`). Read only for such a sale (others are judged by money); absent: none named.
   */
  linesNamed?: number[];
  refundedTotal: number;
  /** How many refunds of this sale applied before: a sale paid nothing in money cannot measure them by money. */
  refundCount: number;
  stampsTaken: Record<string, number>;
  tierRevoked: boolean;
  /**
   * Points of the sale's own lot that expired (wherever merges moved the lot): they left the customer once, and its
   * refunds do not take them again. 0 while the lot holds points: a lot expires whole.
   */
  expiredPoints: number;
  /** Of `expiredPoints`, those the sale's earlier refunds left untaken (`StoredRefundEffects.expired`). */
  expiredSpared: number;
}

/** Stored with a refund: which sale lines it took back and what else it undid. */
export interface StoredRefundEffects {
  /** `price` on a line that cost no money (`refundedEntries`): absent on refunds stored before it was recorded. */
  refunded: RefundedEntry[];
  stampsTaken: Record<string, number>;
  /** `sales`: whose upgrades it took back, when not only the refunded sale's own (absent: that one). */
  tierRevoked: { from: string; to: string; sales?: string[] } | null;
  /**
   * Taking back an upgrade that skipped a level, what it left of it (the level the remaining value still earns): an
   * upgrade of the refund's own, which a later refund takes back as it takes back a sale's.
   */
  tier?: NonNullable<SaleEffects["tier"]>;
  /** Of the points its share reversed, those not taken because they had expired from the sale's lot (absent: none). */
  expired?: number;
}

/** The programme a transaction is evaluated against (as `@regulars/programme` resolves it). */
export interface ProgrammeAt {
  version: number;
  config: import("@regulars/contracts").ProgrammeConfig;
  /** The tenant's zone: customer-level periods (daily caps, tier windows, expiry dates). */
  timezone: string;
  /** The zone of the sale's location where an admin set one: weekdays, hours and birthdays at the till. */
  localZone?: string;
}
