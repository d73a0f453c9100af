// @regulars/identity-tokens: the short-lived, single-use tokens a brand's app shows as a QR code so that a kiosk
// identifies the customer. HS256 JWTs signed with a secret per tenant (created on first use); a redemption
// checks signature, tenant, expiry and that the token was not redeemed before.
export { pruneUsedIdentityTokens } from "./prune.ts";
export {
  type IssuedIdentityToken,
  type IssueOptions,
  identityTokenTtl,
  issueToken,
  type RedeemOptions,
  redeemToken,
} from "./tokens.ts";
