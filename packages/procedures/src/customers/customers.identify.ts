import { CustomerRef, E164Phone } from "@regulars/contracts";
import type { Db } from "@regulars/db";
import { redeemToken } from "@regulars/identity-tokens";
import { z } from "zod";
import { getTillCustomer } from "./customers.till.ts";
import type { TillCustomerView } from "./customers.types.ts";

/** How a customer identifies at a kiosk or till: the app's QR token, a phone number or a card number. */
export const IdentifyCustomerInput = z
  .strictObject({
    token: z.string().trim().min(1, "required").max(1024, "is too long to be an identity token").optional(),
    phone: E164Phone.optional(),
    cardNumber: CustomerRef.shape.cardNumber,
  })
  .refine((i) => [i.token, i.phone, i.cardNumber].filter((v) => v !== undefined).length === 1, {
    message: "give exactly one of token, phone, cardNumber",
  });
export type IdentifyCustomerInput = z.infer<typeof IdentifyCustomerInput>;

/**
 * The till view of the customer who identified. A token is used up by this call (the app shows a fresh one
 * next time). An unknown phone or card is `not_found`: a kiosk does not enrol; a POS sale does.
 */
export async function identifyCustomer(
  db: Db,
  tenantId: string,
  input: IdentifyCustomerInput,
): Promise<TillCustomerView> {
  if (input.token !== undefined) {
    return getTillCustomer(db, tenantId, { id: await redeemToken(db, tenantId, input.token) });
  }
  return getTillCustomer(db, tenantId, input.phone ? { phone: input.phone } : { cardNumber: input.cardNumber });
}
