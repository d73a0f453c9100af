import {
  ConsentChannel,
  ConsentPurpose,
  ConsentSource,
  RegisterCustomerRequest,
  SetConsentsRequest,
  UpdateProfileRequest,
} from "@regulars/contracts";
import { z } from "zod";

const CustomerId = z.string().regex(/^cus_[a-z0-9]{10,40}$/, "must be a customer id (cus_...)");

/** An admin registers a customer as the app would (a sign-up taken in store, a support case). */
export const RegisterInput = RegisterCustomerRequest;

export const UpdateProfileInput = UpdateProfileRequest.safeExtend({ customerId: CustomerId });
export type UpdateProfileInput = z.infer<typeof UpdateProfileInput>;

/** Consents an admin records (a paper form, a support call): `source` says where, `admin` when absent. */
export const SetConsentsInput = SetConsentsRequest.safeExtend({
  customerId: CustomerId,
  source: ConsentSource.optional(),
});
export type SetConsentsInput = z.infer<typeof SetConsentsInput>;

// Not strict: tRPC's infinite queries add `direction` beside the cursor (the admin's customer history).
export const ConsentHistoryInput = z.object({
  customerId: CustomerId,
  channel: ConsentChannel.optional(),
  purpose: ConsentPurpose.optional(),
  /** The `nextCursor` of the previous page: a consent record's id, since the store pages by comparing ids. */
  cursor: z
    .string()
    .regex(/^cns_[a-z0-9]{10,40}$/, "must be a consent record id (cns_...)")
    .nullish(),
  limit: z.number().int().min(1).max(100).default(20),
});
export type ConsentHistoryInput = z.infer<typeof ConsentHistoryInput>;

export type { ConsentHistoryPage, ConsentRecord } from "@regulars/customers-store";
