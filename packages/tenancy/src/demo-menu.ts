// No imports on purpose: the k6 load scenario loads this file by relative path (k6 cannot load
// node modules, and the rest of this package pulls in Prisma).
/** A small quick-service menu, so a fresh install has something to sell and to benchmark with. */
export const demoMenu = [
  { sku: "BURGER-CLASSIC", name: "Classic burger", category: "burgers", tags: [], price: 790 },
  { sku: "BURGER-VEGGIE", name: "Veggie burger", category: "burgers", tags: ["vegetarian", "new"], price: 850 },
  { sku: "WRAP-SPICY", name: "Spicy chicken wrap", category: "wraps", tags: ["spicy"], price: 690 },
  { sku: "FRIES-M", name: "Fries medium", category: "sides", tags: ["vegetarian"], price: 290 },
  { sku: "FRIES-L", name: "Fries large", category: "sides", tags: ["vegetarian"], price: 350 },
  { sku: "NUGGETS-9", name: "Nuggets 9 pcs", category: "snacks", tags: [], price: 520 },
  { sku: "COLA-M", name: "Cola medium", category: "beverages", tags: [], price: 250 },
  { sku: "COFFEE", name: "Coffee", category: "beverages", tags: ["hot"], price: 220 },
  { sku: "BEER-05", name: "Beer 0.5 l", category: "alcohol", tags: ["alcohol"], price: 450 },
  { sku: "SUNDAE", name: "Sundae", category: "desserts", tags: ["vegetarian"], price: 300 },
] as const;
