import { LanguageTag } from "@regulars/contracts";
import { z } from "zod";

export const SetTenantLanguageInput = z.object({ language: LanguageTag });
export type SetTenantLanguageInput = z.infer<typeof SetTenantLanguageInput>;
