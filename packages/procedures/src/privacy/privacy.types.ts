import { CustomerRef, EraseInput, RetentionUpdate } from "@regulars/privacy";

/** The customer whose data is exported. */
export const ExportCustomerInput = CustomerRef;
/** The customer to erase, and its id typed again (`confirmCustomerId`). */
export const EraseCustomerInput = EraseInput.strict();
/** The settings to change; those left out stay as they are, so a misspelt one is refused rather than ignored. */
export const SetRetentionInput = RetentionUpdate.strict();
export type { CustomerExport, ErasureOutcome, RetentionSettings, RetentionView } from "@regulars/privacy";
