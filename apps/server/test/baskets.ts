/** A small menu whose items every rule of `loadtests/programmes/full.json` reacts to (new dishes, beverages, snacks, alcohol). */
export const fullMenu = [
  { sku: "BURGER", name: "Burger", category: "burgers", tags: [] as string[], price: 790 },
  { sku: "VEGGIE", name: "Veggie", category: "burgers", tags: ["new"], price: 850 },
  { sku: "COLA", name: "Cola", category: "beverages", tags: [] as string[], price: 250 },
  { sku: "NUGGETS", name: "Nuggets", category: "snacks", tags: [] as string[], price: 520 },
  { sku: "BEER", name: "Beer", category: "alcohol", tags: ["alcohol"], price: 450 },
];

/** The i-th basket of a run: two items of three left out in turn, quantities 1 or 2, no discounts. */
export const basketLines = (i: number, menu = fullMenu) =>
  menu
    .filter((_, k) => (i + k) % 3 !== 0)
    .map((m, k) => ({
      sku: m.sku,
      name: m.name,
      category: m.category,
      tags: m.tags,
      quantity: 1 + ((i + k) % 2),
      unitPrice: m.price,
      discount: 0,
    }));
