// @regulars/identity-tokens: the short-lived, single-use tokens a brand's app shows as a QR code so that a kiosk
// identifies the customer. JWTs encrypted (dir + A256GCM) with a key derived from a secret per tenant (created on
// first use), so nobody holding one can read whom it names; a redemption checks the key, tenant, expiry and that
// the token was not redeemed before.
export { pruneUsedIdentityTokens } from "./prune.ts";
export {
  type IssuedIdentityToken,
  type IssueOptions,
  identityTokenTtl,
  issueToken,
  type RedeemOptions,
  redeemToken,
} from "./tokens.ts";
