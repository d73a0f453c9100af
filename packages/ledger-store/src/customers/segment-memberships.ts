import type { ProgrammeConfig } from "@regulars/contracts";
import { type RawTx, sqlArray } from "@regulars/db";
import { forMemberships, segmentsFiltered } from "@regulars/rules";

/** Each customer's current memberships among the segments asked about; a customer in none has no entry. */
export type Memberships = ReadonlyMap<string, ReadonlySet<string>>;

const none: ReadonlySet<string> = new Set();

/**
 * The memberships the segment filters of these programmes need, in one query for all the customers. Nothing is read
 * when no rule filters on a segment: the ledger's path pays for the filter only where a programme uses it.
 *
 * Only a segment's current members count: the segment active, and its members materialised from the definition it
 * has now. A paused segment's members are frozen (campaign audiences keep them), and after an edit the stored ones
 * still say what the old definition said, so paying them would pay people the segment no longer describes.
 *
 * A customer merged into one of these is the same person: their memberships count for the survivor until a refresh
 * after the merge's ClickHouse re-key makes the survivor the member. One level of customer_merges finds everyone: a
 * merge re-points the merges into its merged customer at its survivor (customers-store `mergeCustomer`).
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
  const ids = sqlArray([...new Set(customerIds)]);
  const rows = await tx.$queryRaw<{ customer_id: string; segment_id: string }[]>`
    WITH person AS (
      SELECT id AS customer_id, id AS person FROM unnest(${ids}::text[]) AS id
      UNION ALL
      SELECT merged_id, into_id FROM customer_merges WHERE tenant_id = ${tenantId} AND into_id = ANY(${ids}::text[])
    ), current AS (
      SELECT id FROM segments
      WHERE tenant_id = ${tenantId} AND id = ANY(${sqlArray(segmentIds)}::text[])
        AND status = 'active' AND refreshed_version = version
    )
    SELECT DISTINCT p.person AS customer_id, m.segment_id FROM person p
    JOIN segment_members m ON m.tenant_id = ${tenantId} AND m.customer_id = p.customer_id
    JOIN current s ON s.id = m.segment_id`;
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
