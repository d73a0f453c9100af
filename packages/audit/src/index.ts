// @regulars/audit: the audit log of admin actions (programme changes, adjustments, API keys), written in the
// same transaction as the change it records.
export { type AuditRecord, listAudit, recordAudit } from "./audit.ts";
export { type AuditEntry, ListAuditInput } from "./audit.types.ts";
