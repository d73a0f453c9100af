import { z } from "zod";

/** `customers.profile`: the customer's behaviour (orders and value per window, habits, RFM), by customer id. */
export const CustomerBehaviourInput = z.object({
  customerId: z.string().regex(/^cus_[a-z0-9]{10,40}$/, "must be a customer id (cus_...)"),
});
export type CustomerBehaviourInput = z.infer<typeof CustomerBehaviourInput>;

/**
 * As of `asOf`: `windows` (d7, d30, d90, d365, lifetime: orders and net value in minor units), `averageTicket`,
 * first and last order, `locations` by visits (most first) and the favourite, tag `affinities` (share of items,
 * highest first), preferred channel and daypart (tenant time zone), and `rfm` with 1..5 scores (null outside the
 * tenant's active customers or before its first quintiles). Definitions: packages/profiles/README.md.
 */
export type { BehaviourProfile as CustomerBehaviourView } from "@regulars/customers-store";
