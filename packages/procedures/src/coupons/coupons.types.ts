import { CouponCampaignConfigInput, CouponCampaignStatus } from "@regulars/contracts";
import { z } from "zod";

const CampaignId = z.string().regex(/^cpn_[a-z0-9]{10,40}$/, "must be a coupon campaign id (cpn_...)");
const CustomerId = z.string().regex(/^cus_[a-z0-9]{10,40}$/, "must be a customer id (cus_...)");

/** Strict at every depth: a misspelt limit or condition is refused by name, not dropped. */
export const CreateCampaignInput = CouponCampaignConfigInput;

const config = CouponCampaignConfigInput.shape;

/**
 * Parts of the config to replace, each whole. Defaults are left out of the parts on purpose: an omitted
 * part keeps its value rather than falling back to the default.
 */
export const CampaignPatch = z
  .strictObject({
    name: config.name,
    description: config.description.unwrap(),
    benefit: config.benefit,
    conditions: config.conditions.unwrap(),
    limits: config.limits.unwrap(),
    codes: config.codes,
    stacking: config.stacking.unwrap(),
    refundReturnsUse: config.refundReturnsUse.unwrap(),
    issueOnRegistration: config.issueOnRegistration.unwrap(),
  })
  .partial();

export const UpdateCampaignInput = z.strictObject({ id: CampaignId, patch: CampaignPatch });

export const CampaignIdInput = z.strictObject({ id: CampaignId });

// Not strict: tRPC's infinite queries add `direction` beside the cursor (the admin's campaign list).
export const ListCampaignsInput = z
  .object({
    status: CouponCampaignStatus.optional(),
    /** The `nextCursor` of the previous page. */
    cursor: CampaignId.nullish(),
    limit: z.number().int().min(1).max(100).default(20),
  })
  .prefault({});

export const GenerateCodesInput = z.strictObject({
  id: CampaignId,
  count: z.number().int("must be a whole number").min(1).max(1_000_000, "at most 1,000,000 codes at a time"),
  /**
   * Retrying with the same key and count makes no new codes (only what a failed try left unmade); the same key with
   * another count is a conflict. Omitted, every call makes codes.
   */
  requestKey: z.string().min(1).max(200).optional(),
});

export const MAX_IMPORT_LINES = 100_000;

/**
 * Codes as a list (line numbers are positions from 1), or a CSV file's lines (its first column; a first
 * line reading `code` is a header). Lines, not the file's text: no input string may hold a line break.
 * Files too big for one request go through POST /admin/coupon-campaigns/{id}/codes.
 */
export const ImportCodesInput = z
  .strictObject({
    id: CampaignId,
    codes: z.array(z.string().max(200)).min(1).max(MAX_IMPORT_LINES, "at most 100,000 codes at a time").optional(),
    csvLines: z
      .array(z.string().max(1_000))
      .min(1)
      .max(MAX_IMPORT_LINES + 1, "at most 100,000 codes at a time")
      .optional(),
  })
  .refine((i) => (i.codes === undefined) !== (i.csvLines === undefined), {
    path: ["codes"],
    message: "send either codes or csvLines",
  });

export const IssueCouponInput = z.strictObject({
  id: CampaignId,
  customerId: CustomerId,
  /** Retrying with the same key issues nothing new; omitted, every call issues a coupon. */
  issueKey: z.string().min(1).max(200).optional(),
});

export const WalletInput = z.strictObject({ customerId: CustomerId });

export type {
  CampaignStats,
  CodeRoom,
  CouponCampaignView,
  ImportReport,
  IssuedCoupon,
  WalletCoupon,
} from "@regulars/checkout-store";
