import type { LanguageTag } from "./channels.ts";

const primary = (tag: string): string => tag.split("-")[0]!.toLowerCase();

/**
 * Which of a message's templates a customer gets. In order:
 * 1. the customer's language exactly (`pt-BR` for `pt-BR`, case-insensitive);
 * 2. the same primary language (`pt-BR` customer: `pt`, else any `pt-…`, the first listed);
 * 3. the tenant's default language, by the same two steps;
 * 4. otherwise none: the caller decides (skip the customer, report it), rather than sending a language
 *    the brand never wrote and the customer may not read.
 */
export function chooseTemplate<T extends { language: LanguageTag }>(
  templates: readonly T[],
  customerLanguage: LanguageTag | null | undefined,
  tenantLanguage: LanguageTag,
): T | undefined {
  const match = (tag: string): T | undefined => {
    const lower = tag.toLowerCase();
    const exact = templates.find((t) => t.language.toLowerCase() === lower);
    if (exact) return exact;
    const base = primary(tag);
    return (
      templates.find((t) => t.language.toLowerCase() === base) ?? templates.find((t) => primary(t.language) === base)
    );
  };
  return (customerLanguage ? match(customerLanguage) : undefined) ?? match(tenantLanguage);
}
