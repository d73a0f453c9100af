import { type FactsTarget, mergeCustomerRows } from "@regulars/analytics";
import { mergesOf } from "@regulars/customers-store";
import type { Db } from "@regulars/db";
import { type WrittenFact, withoutErasedCustomers } from "./erased.ts";

interface CustomerRef {
  tenantId: string;
  customerId: string;
}

/** A fact as the writers get it: of a tenant, and of a customer unless anonymous (or not about one). */
type CustomerFact = WrittenFact;

const key = (tenantId: string, customerId: string) => `${tenantId}\u0000${customerId}`;

/** Each customer once: a batch holds many facts of few customers. */
const refsOf = (facts: CustomerFact[]): CustomerRef[] => [
  ...new Map(
    facts.flatMap((f) =>
      f.customerId
        ? [[key(f.tenantId, f.customerId), { tenantId: f.tenantId, customerId: f.customerId }] as const]
        : [],
    ),
  ).values(),
];

/** Who holds each customer's facts now: the survivor of a merge for a merged customer, else the customer. */
export async function survivorsOf(db: Db, refs: CustomerRef[]): Promise<(ref: CustomerRef) => CustomerRef> {
  const into = new Map((await mergesOf(db, refs)).map((m) => [key(m.tenantId, m.mergedId), m.intoId]));
  return (ref) => {
    const survivor = into.get(key(ref.tenantId, ref.customerId));
    return survivor ? { tenantId: ref.tenantId, customerId: survivor } : ref;
  };
}

/**
 * Writes facts to ClickHouse under the customer who holds them now: a fact of a customer merged away (published
 * before the merge, read after it) goes to the survivor, where the merge moved the customer's earlier facts. An
 * erased customer's are pseudonymised or dropped (`withoutErasedCustomers`).
 *
 * A merge may commit while the batch is written, after the look-up: the snapshot writer, another consumer in no
 * order with this one, may then move the merged customer's rows before these land. So the look-up is repeated after
 * the write, and such a merge's move run here too (it is safe to repeat); a merge committed after that second
 * look-up announces itself after these rows landed, so its own move takes them.
 */
export async function writeUnderSurvivors<T extends CustomerFact>(
  db: Db,
  target: FactsTarget,
  facts: T[],
  write: (facts: T[]) => Promise<void>,
): Promise<void> {
  const survivor = await survivorsOf(db, refsOf(facts));
  const resolved = facts.map((f) =>
    f.customerId ? { ...f, customerId: survivor({ tenantId: f.tenantId, customerId: f.customerId }).customerId } : f,
  );
  // Under the survivor: a merged-away id's erasure is its survivor's.
  const kept = await withoutErasedCustomers(db, target, resolved);
  if (kept.length) await write(kept);
  await mergeCustomerRows(target, await mergesOf(db, refsOf(resolved)));
}
