import {
  type BasketLine,
  CheckoutSelection,
  CouponCampaignConfig,
  type CouponCampaignStatus,
  ProgrammeConfig,
} from "@regulars/contracts";
import type { CheckoutCustomer, CheckoutInput, CouponUsage, KnownCoupon } from "../src/index.ts";

export const WARSAW = "Europe/Warsaw";
/** Wednesday 2025-03-05 12:00 in Warsaw. Past dates are fine: the clock is injected. */
export const WEDNESDAY_NOON = new Date("2025-03-05T11:00:00Z");

export const line = (sku: string, unitPrice: number, more: Partial<BasketLine> = {}): BasketLine => ({
  sku,
  name: sku,
  tags: [],
  quantity: 1,
  unitPrice,
  discount: 0,
  ...more,
});

/** Parsed through the real schemas, so tests get the defaults production gets. */
export const campaignConfig = (config: Record<string, unknown>): CouponCampaignConfig =>
  CouponCampaignConfig.parse({ name: "Test coupon", codes: { kind: "generic", code: "TEST" }, ...config });

export const noUsage: CouponUsage = { total: 0, customer: 0, code: 0, today: 0, budgetSpent: 0 };

export const coupon = (
  code: string,
  config: Record<string, unknown>,
  more: Partial<Omit<KnownCoupon, "campaign">> & { status?: CouponCampaignStatus } = {},
): KnownCoupon => {
  const { status = "active", ...rest } = more;
  return {
    code,
    campaign: { id: `campaign-${code.toLowerCase()}`, status, config: campaignConfig(config) },
    usage: noUsage,
    inWallet: false,
    ...rest,
  };
};

export const member = (more: Partial<CheckoutCustomer> = {}): CheckoutCustomer => ({
  id: "customer-1",
  tier: "bronze",
  points: 0,
  wallet: 0,
  heldPoints: 0,
  heldWallet: 0,
  ...more,
});

export const programme = (config: Record<string, unknown> = {}): ProgrammeConfig => ProgrammeConfig.parse(config);

/** The seeds' programme: 100 points = €5, at least 50, at most €10 per order; two rewards; silver 5% off. */
export const seedProgramme = programme({
  tiers: {
    basis: "points_earned",
    window: "calendar_year",
    levels: [
      { id: "bronze", name: "Bronze", threshold: 0 },
      { id: "silver", name: "Silver", threshold: 200, benefits: { discountPercent: 5 } },
    ],
  },
  redemption: { points: 100, value: 500, minPoints: 50, maxDiscountPerOrder: 1000 },
  rewards: [
    {
      id: "veg-puff",
      name: "Free veg puff",
      points: 20,
      benefit: { kind: "free_item", match: { skus: ["VEG-PUFF"] } },
    },
    { id: "thirty-off", name: "30% off", points: 30, benefit: { kind: "percent_off", percent: 30 } },
  ],
});

/** The seeds' welcome coupon: one free portion of fries. */
export const welcomeFries = { name: "Welcome fries", benefit: { kind: "free_item", match: { skus: ["FRIES"] } } };

export const input = (
  more: Partial<Omit<CheckoutInput, "selection">> & { selection?: Partial<CheckoutSelection> } = {},
): CheckoutInput => {
  const { selection, ...rest } = more;
  return {
    basket: {
      locationId: "warsaw-centrum",
      channel: "kiosk",
      currency: "EUR",
      lines: [line("BURGER", 790), line("FRIES", 290)],
    },
    at: WEDNESDAY_NOON,
    timezone: WARSAW,
    customer: member(),
    programme: seedProgramme,
    coupons: [],
    ...rest,
    selection: CheckoutSelection.parse(selection ?? {}),
  };
};

export const withLines = (lines: BasketLine[], more: Parameters<typeof input>[0] = {}): CheckoutInput => {
  const i = input(more);
  return { ...i, basket: { ...i.basket, lines } };
};
