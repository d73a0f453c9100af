import { z } from "zod";
import { SafeText } from "./text.ts";

/** Which basket lines a rule is about; a line matches when ANY listed sku, category or tag matches. */
export const LineMatch = z
  .object({
    skus: z.array(SafeText(1, 64)).max(500).default([]),
    categories: z.array(SafeText(1, 64)).max(100).default([]),
    tags: z.array(SafeText(1, 40)).max(100).default([]),
  })
  .refine((m) => m.skus.length + m.categories.length + m.tags.length > 0, "name at least one sku, category or tag");
export type LineMatch = z.infer<typeof LineMatch>;
