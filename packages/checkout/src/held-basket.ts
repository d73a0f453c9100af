/**
 * What a checkout hold was priced on, as the hold keeps it: where and on which channel the basket was paid, and its
 * quote's `lines` (per basket line, in order, its sku and quantity, the discount to post and what is left to pay). A
 * line's price before discounts is `amount + discount` (`quantity × unitPrice`). Quotes stored before they kept each
 * line's sku and quantity have neither: their lines are known by price alone.
 */
export interface HeldBasket {
  locationId: string;
  channel: string;
  lines: readonly { sku?: string; quantity?: number; amount: number; discount: number }[];
}

/** The sale naming the hold, as posted. */
export interface SaleBasket {
  locationId: string;
  channel: string;
  lines: readonly { sku: string; quantity: number; unitPrice: number }[];
}

/** The first place a sale differs from its hold's basket, as a field issue of the sale. */
export interface BasketDifference {
  path: string;
  message: string;
}

/**
 * Where a sale first differs from the basket its hold was priced on: another location or channel, a line priced
 * otherwise or of another sku or quantity (`lines.<i>…`), a line missing or one more. Null when it is that basket, as
 * far as the hold tells it. A hold's points, wallet cash, coupons and line discounts were chosen for that basket (a
 * coupon's minimum basket and channels, at most what is left to pay), so a hold commits only with its own sale: a
 * sale with an item taken out after the hold would otherwise spend them all on less, and get line discounts meant
 * for other lines. One rule for the gateway, which refuses such a sale, and the
 * ledger, which does not commit the hold of one that got past it.
 */
export function saleBasketDifference(held: HeldBasket, sale: SaleBasket): BasketDifference | null {
  if (sale.locationId !== held.locationId)
    return { path: "locationId", message: `is ${sale.locationId}; the hold was placed at ${held.locationId}` };
  // A coupon limited to the kiosk was checked on the hold's channel: posted from the till, it would be given there.
  if (sale.channel !== held.channel)
    return { path: "channel", message: `is ${sale.channel}; the hold was placed on ${held.channel}` };
  // Every quote a hold is placed with has a line per basket line (a basket has one at least); a stored quote with
  // none says nothing of the lines, and is not taken for a basket of none.
  if (!held.lines.length) return null;
  const shared = Math.min(sale.lines.length, held.lines.length);
  for (let i = 0; i < shared; i++) {
    const { sku, quantity, unitPrice } = sale.lines[i]!;
    const quoted = held.lines[i]!;
    // Two items of one price swapped cost the same, but a coupon or reward for one of them was priced on its line.
    if (quoted.sku !== undefined && sku !== quoted.sku)
      return { path: `lines.${i}.sku`, message: `is ${sku}; the hold priced line ${i} as ${quoted.sku}` };
    if (quoted.quantity !== undefined && quantity !== quoted.quantity)
      return {
        path: `lines.${i}.quantity`,
        message: `is ${quantity}; the hold priced line ${i} with quantity ${quoted.quantity}`,
      };
    const price = quantity * unitPrice;
    const priced = quoted.amount + quoted.discount;
    if (price !== priced)
      return {
        path: `lines.${i}`,
        message: `costs ${price} before discounts (quantity × unitPrice); the hold priced line ${i} at ${priced}`,
      };
  }
  if (sale.lines.length < held.lines.length)
    return {
      path: `lines.${shared}`,
      message: `is missing: the hold was priced on ${held.lines.length} lines, the sale has ${sale.lines.length}`,
    };
  if (sale.lines.length > held.lines.length)
    return {
      path: `lines.${shared}`,
      message: `was not in the basket the hold was priced on (${held.lines.length} lines)`,
    };
  return null;
}
