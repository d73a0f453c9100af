import type { RouterOutputs } from "@regulars/web-ui";

export type Product = RouterOutputs["catalog"]["products"][number]["products"][number];
export type TillCustomer = Extract<RouterOutputs["customers"]["identify"], { view: "till" }>;
export type Quote = RouterOutputs["checkout"]["quote"];
export type RefusalCode = NonNullable<Quote["points"]["refusal"]>["code"];

export interface BasketItem {
  product: Product;
  quantity: number;
}

/** What the customer asked to spend on this order. */
export interface Selection {
  couponCodes: string[];
  rewardIds: string[];
  points: number;
}

/**
 * The customer with the points balance read later than sign-in (a quote, the processed sale): another till may have
 * spent some meanwhile. The same object when nothing changed, so a screen that reports it renders no further.
 */
export function withPointsBalance(customer: TillCustomer | null, balance: number): TillCustomer | null {
  if (!customer || customer.points.balance === balance) return customer;
  return { ...customer, points: { ...customer.points, balance } };
}

export const noSelection: Selection = { couponCodes: [], rewardIds: [], points: 0 };

/** The basket as the quote prices it and the sale posts it: line `i` of both is item `i`. */
export const basketLines = (items: BasketItem[]) =>
  items.map(({ product, quantity }) => ({
    sku: product.sku,
    name: product.name,
    category: product.category,
    tags: product.tags,
    quantity,
    unitPrice: product.price,
    discount: 0,
  }));

export const basketSubtotal = (items: BasketItem[]) =>
  items.reduce((sum, { product, quantity }) => sum + product.price * quantity, 0);

/** Adds `change` (±1) to a product's quantity; a line that reaches zero leaves the basket. */
export function changeQuantity(items: BasketItem[], product: Product, change: number): BasketItem[] {
  const existing = items.find((i) => i.product.sku === product.sku);
  if (!existing) return change > 0 ? [...items, { product, quantity: change }] : items;
  return items.map((i) => (i === existing ? { ...i, quantity: i.quantity + change } : i)).filter((i) => i.quantity > 0);
}
