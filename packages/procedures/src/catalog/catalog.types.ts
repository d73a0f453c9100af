import { z } from "zod";

/** Without a category, the whole menu. */
export const CatalogProductsInput = z
  .object({ category: z.string().trim().min(1, "required").max(64, "is too long to be a category").optional() })
  .default({});
export type CatalogProductsInput = z.infer<typeof CatalogProductsInput>;
