/**
 * The example basket of the contract: shown in the OpenAPI document, and the default basket of tests.
 * 2 × 3.50 + 7.90 − 0.40 = 14.50.
 */
export const exampleSaleLines = [
  {
    sku: "FRIES-L",
    name: "Fries large",
    category: "sides",
    tags: ["vegetarian"],
    quantity: 2,
    unitPrice: 350,
    discount: 0,
  },
  {
    sku: "BURGER-CLASSIC",
    name: "Classic burger",
    category: "burgers",
    tags: [] as string[],
    quantity: 1,
    unitPrice: 790,
    discount: 40,
  },
];
