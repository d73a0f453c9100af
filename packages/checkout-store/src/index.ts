// @regulars/checkout-store: the checkout tables in Postgres. Coupon campaigns, their codes (generated,
// imported, exported as CSV), coupons issued into wallets, campaign statistics, and the count of unknown codes
// each credential tried, which throttles guessing (coupons/), counted in windows that also count tills' look-ups of
// customers by phone or card numbers nobody has (misses/), and the channels a till's key may check out
// (basket-channel.ts). The rules of codes and pricing are `@regulars/checkout`'s.

export { assertBasketChannelAllowed } from "./basket-channel.ts";
export {
  type CampaignPatch,
  createCampaign,
  getCampaign,
  type ListCampaignsInput,
  listCampaigns,
  setCampaignStatus,
  updateCampaign,
} from "./coupons/campaigns.ts";
export { CODES_CSV_HEADER, codeLinesFromCsv, type ImportLine, numberedLines, streamCodesCsv } from "./coupons/csv.ts";
export {
  GENERATION_CHUNK,
  type GeneratedCodes,
  type GenerateOptions,
  generateCampaignCodes,
  MAX_CODES_PER_GENERATION,
} from "./coupons/generate.ts";
export { REQUEST_KEY_WINDOW_HOURS } from "./coupons/generation-record.ts";
export {
  type ImportProblem,
  type ImportProblemReason,
  type ImportReport,
  importCodes,
  MAX_REPORTED_PROBLEMS,
} from "./coupons/import.ts";
export { type CodeRoom, campaignCodeRoom } from "./coupons/pattern-codes.ts";
export type { CodeSource, CouponCampaignView, DbOrTx } from "./coupons/shared.ts";
export { type CampaignStats, campaignStats } from "./coupons/stats.ts";
export {
  type CodeTrier,
  countUnknownCodes,
  holdCountingUnknownCodes,
  type PostedCodes,
  type PostedSale,
  quoteCountingUnknownCodes,
  readPostedCodes,
  reservePostedCodes,
  type UnknownCodeLimit,
  type UnknownCodeOptions,
  UnknownCodesThrottled,
  unknownCodeDefaults,
} from "./coupons/unknown-codes.ts";
export {
  type IssueCouponInput,
  type IssuedCoupon,
  issueCoupon,
  issueCouponAsAdmin,
  issueRegistrationCoupons,
} from "./coupons/wallet.ts";
export { type WalletCoupon, walletCoupons } from "./coupons/wallet-read.ts";
export { type WalletCouponState, walletCouponState } from "./coupons/wallet-state.ts";
export {
  type CustomerLookupOptions,
  CustomerLookupsThrottled,
  customerLookupDefaults,
  type GuessableIdentity,
  lookUpCountingMisses,
  namesGuessableIdentity,
} from "./misses/customer-lookups.ts";
export { IN_FLIGHT_RETRY_SECONDS, type MissCounts } from "./misses/miss-windows.ts";
