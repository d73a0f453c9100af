// @regulars/customers-store: app registration and the customer's profile in Postgres. Registration
// (idempotent by identity; a proven phone links the customer the tills know), profile changes, the consent
// history and the consents in force, push tokens, and merging a till's customer into the app account that
// proved the same phone (identities, balances by transfer movements, sales). Owns customer_profiles,
// customer_consents, customer_push_tokens and customer_merges, and the behavioural profile's facts
// (profile_orders, written from transaction.processed, windows computed at read time) and RFM boundaries
// (profile_rfm_boundaries, a scheduled job); writes the profile columns of customers and
// the customers' identities alongside ledger-store. Events go to the outbox in the same transaction.

export type { BehaviourProfile, RfmBoundaries } from "@regulars/profiles";
export { readBehaviourProfile } from "./behaviour/read.ts";
export { factOwners, recordProcessedTransactions } from "./behaviour/record.ts";
export { computeRfmBoundaries, RFM_BOUNDARIES_MAX_AGE_MS, readRfmBoundaries } from "./behaviour/rfm-boundaries.ts";
export { type SaleKey, saleKeysOf, voidedFactsOf } from "./behaviour/voided.ts";
export {
  type ConsentHistoryPage,
  type ConsentRecord,
  consentHistory,
  consentInForceOrder,
  currentConsents,
  setConsents,
} from "./consents.ts";
export {
  type FoldOptions,
  type FoldOutcome,
  foldPhoneSpellings,
  type SplitPhone,
} from "./merge/fold-phone-spellings.ts";
export { mergeCustomer } from "./merge/merge.ts";
export { type CustomerMerge, mergesOf } from "./merge/merges.ts";
export { normalisePhone } from "./phone.ts";
export { type Enrolled, enrolAtTill, type TillEnrolment } from "./profile/enrol-at-till.ts";
export { readProfile } from "./profile/read.ts";
export { type RegistrationWithChanges, registerCustomer, registerCustomerWithChanges } from "./profile/register.ts";
export { updateProfile } from "./profile/update.ts";
export { type PushTarget, pushTargets, removePushToken, savePushToken } from "./push-tokens.ts";
export type { ChangeOrigin, DbOrTx } from "./shared.ts";
export { requireCustomerLocked } from "./shared.ts";
