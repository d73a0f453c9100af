import type { Db } from "@regulars/db";

/** A product as a kiosk or till sells it: the price in the tenant's minor units. */
export interface CatalogProduct {
  sku: string;
  name: string;
  category: string;
  tags: string[];
  price: number;
}

export interface CatalogCategory {
  category: string;
  products: CatalogProduct[];
}

/**
 * The tenant's products grouped by category (categories and products in name order, so every terminal shows
 * the same menu), optionally only one category's.
 */
export async function listProducts(
  db: Db,
  tenantId: string,
  filter: { category?: string } = {},
): Promise<CatalogCategory[]> {
  const rows = await db.product.findMany({
    where: { tenantId, ...(filter.category !== undefined ? { category: filter.category } : {}) },
    orderBy: [{ category: "asc" }, { name: "asc" }, { sku: "asc" }],
  });
  const categories = new Map<string, CatalogProduct[]>();
  for (const row of rows) {
    // Prices are stored as bigint; money in the system stays below 10^12 minor units, well inside a double.
    const product = { sku: row.sku, name: row.name, category: row.category, tags: row.tags, price: Number(row.price) };
    const products = categories.get(row.category) ?? [];
    products.push(product);
    categories.set(row.category, products);
  }
  return [...categories].map(([category, products]) => ({ category, products }));
}
