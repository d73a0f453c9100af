import { listProducts } from "@regulars/tenancy";
import { roleProcedure, router } from "../trpc.ts";
import { CatalogProductsInput } from "./catalog.types.ts";

export const catalogRouter = router({
  /** The menu a kiosk or till sells from, grouped by category. */
  products: roleProcedure("kiosk", "pos", "admin")
    .input(CatalogProductsInput)
    .query(({ ctx, input }) => listProducts(ctx.db, ctx.tenantId, input)),
});
