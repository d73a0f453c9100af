import type { Db } from "@regulars/db";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { failure, tenantCallers } from "./helpers.ts";

// catalog.products: the menu kiosks and tills sell from, tenant by tenant.

let db: Db;
let mine: Awaited<ReturnType<typeof tenantCallers>>;
let theirs: Awaited<ReturnType<typeof tenantCallers>>;

beforeAll(async () => {
  db = testDb();
  mine = await tenantCallers(db, "Catalog Burgers");
  theirs = await tenantCallers(db, "Catalog Rivals");
  await db.product.createMany({
    data: [
      {
        tenantId: mine.tenantId,
        sku: "FRIES-L",
        name: "Fries large",
        category: "sides",
        tags: ["vegetarian"],
        price: 350n,
      },
      { tenantId: mine.tenantId, sku: "BURGER", name: "Classic burger", category: "burgers", tags: [], price: 790n },
      { tenantId: mine.tenantId, sku: "FRIES-M", name: "Fries medium", category: "sides", tags: [], price: 290n },
      { tenantId: theirs.tenantId, sku: "SECRET", name: "Their special", category: "burgers", tags: [], price: 999n },
    ],
  });
});
afterAll(async () => {
  await db?.$disconnect();
});

describe("catalog.products", () => {
  it("groups the tenant's products by category, each in name order, prices in minor units", async () => {
    expect(await mine.kiosk.catalog.products()).toEqual([
      {
        category: "burgers",
        products: [{ sku: "BURGER", name: "Classic burger", category: "burgers", tags: [], price: 790 }],
      },
      {
        category: "sides",
        products: [
          { sku: "FRIES-L", name: "Fries large", category: "sides", tags: ["vegetarian"], price: 350 },
          { sku: "FRIES-M", name: "Fries medium", category: "sides", tags: [], price: 290 },
        ],
      },
    ]);
  });

  it("filters by category, and a category the tenant does not sell is an empty menu", async () => {
    const sides = await mine.pos.catalog.products({ category: "sides" });
    expect(sides.map((c) => c.category)).toEqual(["sides"]);
    expect(sides[0]!.products.map((p) => p.sku)).toEqual(["FRIES-L", "FRIES-M"]);
    expect(await mine.admin.catalog.products({ category: "desserts" })).toEqual([]);
  });

  it("never shows another tenant's products", async () => {
    const skus = (await theirs.kiosk.catalog.products()).flatMap((c) => c.products.map((p) => p.sku));
    expect(skus).toEqual(["SECRET"]);
  });

  it("is for terminals and admins, not analysts", async () => {
    expect((await failure(mine.analyst.catalog.products())).code).toBe("FORBIDDEN");
  });
});
