import { z } from "zod";

export const ListMessagesInput = z
  .strictObject({
    customerId: z
      .string()
      .regex(/^cus_[a-z0-9]{10,40}$/, "must be a customer id (cus_...)")
      .optional(),
    campaignId: z
      .string()
      .regex(/^cmp_[a-z0-9]{10,40}$/, "must be a campaign id (cmp_...)")
      .optional(),
    /** The `nextCursor` of the previous page. */
    cursor: z
      .string()
      .regex(/^msg_[a-z0-9]{10,40}$/, "must be a message id (msg_...)")
      .nullish(),
    limit: z.number().int().min(1).max(100).default(50),
  })
  .refine((input) => input.customerId !== undefined || input.campaignId !== undefined, {
    message: "give a customerId or a campaignId",
    path: ["customerId"],
  });
