export { refundableRemainder } from "./refunds.ts";
export {
  postingsFor,
  customerAccountKind,
  tenantAccountKind,
  TENANT_OWNER,
  type CustomerAccount,
  type Posting,
  type Unit,
  type MovementKind,
} from "./postings.ts";
