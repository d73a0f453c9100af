export {
  type CustomerAccount,
  customerAccountKind,
  type MovementKind,
  type Posting,
  postingsFor,
  TENANT_OWNER,
  tenantAccountKind,
  type Unit,
} from "./postings.ts";
export { refundableRemainder } from "./refunds.ts";
