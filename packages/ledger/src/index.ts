export { evaluateEarning, type EarningResult, type RuleExplanation } from "./earning.ts";
export { pointsToReverse, refundableRemainder } from "./refunds.ts";
export { postingsFor, customerAccountKind, tenantAccountKind, TENANT_OWNER, type Posting, type Unit, type MovementKind } from "./postings.ts";
