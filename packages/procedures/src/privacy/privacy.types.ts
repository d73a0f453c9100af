import { CustomerRef, EraseInput, RetentionUpdate } from "@regulars/privacy";

/** The customer whose data is exported. */
export const ExportCustomerInput = CustomerRef;
/** The customer to erase, and its id typed again (`confirmCustomerId`). */
export const EraseCustomerInput = EraseInput;
/** The settings to change; those left out stay as they are. */
export const SetRetentionInput = RetentionUpdate;
export type { CustomerExport, ErasureOutcome, RetentionSettings, RetentionView } from "@regulars/privacy";
