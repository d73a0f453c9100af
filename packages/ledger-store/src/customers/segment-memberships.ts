import type { ProgrammeConfig } from "@regulars/contracts";
import { type RawTx, sqlArray } from "@regulars/db";
import { forMemberships, segmentsFiltered } from "@regulars/rules";

/** Each customer's current memberships among the segments asked about; a customer in none has no entry. */
export type Memberships = ReadonlyMap<string, ReadonlySet<string>>;

const none: ReadonlySet<string> = new Set();

/**
 * The memberships the segment filters of these programmes need, in one query for all the customers. Nothing is read
 * when no rule filters on a segment: the ledger's path pays for the filter only where a programme uses it.
 */
export async function loadMemberships(
  tx: RawTx,
  tenantId: string,
  customerIds: readonly string[],
  programmes: Iterable<ProgrammeConfig>,
): Promise<Memberships> {
  const segmentIds = [...new Set([...programmes].flatMap(segmentsFiltered))];
  const memberships = new Map<string, Set<string>>();
  if (!segmentIds.length || !customerIds.length) return memberships;
  const rows = await tx.$queryRaw<{ customer_id: string; segment_id: string }[]>`
    SELECT customer_id, segment_id FROM segment_members
    WHERE tenant_id = ${tenantId}
      AND customer_id = ANY(${sqlArray([...new Set(customerIds)])}::text[])
      AND segment_id = ANY(${sqlArray(segmentIds)}::text[])`;
  for (const r of rows) {
    if (!memberships.get(r.customer_id)?.add(r.segment_id)) memberships.set(r.customer_id, new Set([r.segment_id]));
  }
  return memberships;
}

/** The programme as this customer meets it: their segments settle the rules that filter on one. */
export const programmeFor = <P extends { config: ProgrammeConfig }>(
  programme: P,
  memberships: Memberships,
  customerId: string,
): P => {
  const config = forMemberships(programme.config, memberships.get(customerId) ?? none);
  return config === programme.config ? programme : { ...programme, config };
};
