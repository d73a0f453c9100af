import { readBehaviourProfile } from "@regulars/customers-store";
import type { Db } from "@regulars/db";
import type { CustomerBehaviourInput, CustomerBehaviourView } from "./customers.behaviour.types.ts";

/**
 * The behavioural profile an admin sees, computed as of `now` from the stored facts (so a customer who stopped
 * coming has left the recent windows). `now` is the caller's clock: tests move it.
 */
export const customerBehaviour = (
  db: Db,
  tenantId: string,
  input: CustomerBehaviourInput,
  now: Date = new Date(),
): Promise<CustomerBehaviourView> => readBehaviourProfile(db, tenantId, input.customerId, now);
