import { readBehaviourProfile } from "@regulars/customers-store";
import type { Db } from "@regulars/db";
import type { CustomerBehaviourInput, CustomerBehaviourView } from "./customers.behaviour.types.ts";
import { survivorIdOf } from "./customers.survivor.ts";

/**
 * The behavioural profile an admin sees, computed as of `now` from the stored facts (so a customer who stopped
 * coming has left the recent windows). `now` is the caller's clock: tests move it.
 */
export const customerBehaviour = async (
  db: Db,
  tenantId: string,
  input: CustomerBehaviourInput,
  now: Date = new Date(),
): Promise<CustomerBehaviourView> =>
  // The merge moved a till enrolment's orders to the survivor: its profile is the person's.
  readBehaviourProfile(db, tenantId, await survivorIdOf(db, tenantId, input.customerId), now);
