import { LanguageTag } from "@regulars/contracts";
import { TenantFrequencyCaps } from "@regulars/tenancy";
import { z } from "zod";

export const SetTenantLanguageInput = z.strictObject({ language: LanguageTag });
export type SetTenantLanguageInput = z.infer<typeof SetTenantLanguageInput>;

/** The whole list, replacing what was there: the admin page edits it as one form. */
export const SetTenantFrequencyCapsInput = z.strictObject({ caps: TenantFrequencyCaps });
export type SetTenantFrequencyCapsInput = z.infer<typeof SetTenantFrequencyCapsInput>;
