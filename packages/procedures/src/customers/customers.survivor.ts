import type { Db } from "@regulars/db";
import { survivorsOf } from "@regulars/ledger-store";

/**
 * The customer an id stands for now: the account that finally absorbed it when it was merged away (a till's
 * enrolment merged into the app account that proved its phone), else the id itself. A merged-away row keeps its
 * id but is an empty husk: reading it would show nothing, and writing to it (an adjustment, a floor, a coupon)
 * would reach an account nobody can use. An id the tenant does not know is passed on unchanged, so whatever is
 * asked of it answers `not_found` as for any unknown id. For reads: a write must resolve the id again under the
 * customer's lock, which a merge takes too (`lockSurvivor` in ledger-store), or a merge committing between this
 * look-up and the write leaves the write on the emptied row.
 */
export async function survivorIdOf(db: Db, tenantId: string, customerId: string): Promise<string> {
  const found = (await survivorsOf(db, [customerId])).get(customerId);
  return found?.tenantId === tenantId ? found.survivorId : customerId;
}

/** The input with its `customerId` replaced by the survivor's: for procedures that pass the input on whole. */
export const withSurvivor = async <T extends { customerId: string }>(
  db: Db,
  tenantId: string,
  input: T,
): Promise<T> => ({
  ...input,
  customerId: await survivorIdOf(db, tenantId, input.customerId),
});
