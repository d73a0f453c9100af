import {
  type CustomerSnapshotRow,
  customersWithSnapshot,
  type FactsTarget,
  insertCustomerSnapshots,
} from "@regulars/analytics";
import type { Db } from "@regulars/db";

/** A customer whose attributes should be (re)written to ClickHouse. */
export interface CustomerRef {
  tenantId: string;
  customerId: string;
}

interface SnapshotDbRow {
  tenant_id: string;
  customer_id: string;
  tier: string | null;
  consents: string[];
  has_email: boolean;
  has_phone: boolean;
  birth_month: number | null;
  birth_day: number | null;
  registered_at: Date | null;
  created_at: Date;
  item_count: bigint;
  tag_quantities: Record<string, number>;
  version: bigint;
}

const clickHouseTime = (d: Date) => d.toISOString().replace("T", " ").replace("Z", "");

/**
 * The customers' current attributes as segments see them, read in one statement: tier, the consents in
 * force that are granted (latest choice per channel and purpose), which contact fields are known, birthday
 * month and day, when they joined, and their lifetime sale totals from the profile facts (items, items per
 * tag: what tag affinity divides). The tier is the stored one, '' for a member the ledger has not placed yet: the
 * entry level they count at is the programme's, which may gain tiers or change after this row is written, so a
 * segment resolves it when it is evaluated (`evaluationContext`). No names or contact details leave Postgres. An
 * erased customer has none: a fact of theirs arriving after the erasure must not bring their id back into ClickHouse.
 *
 * `version` is the start of the read's transaction in microseconds (`now()`), and the latest version wins in
 * ClickHouse. The start, not the clock when the row is produced: a read sees what was committed before its
 * snapshot, which is taken after its transaction began (`statement_timestamp()` may be set again after it:
 * the extended protocol's Execute comes after the Bind that took the snapshot). So a read begun after a sale's
 * commit (the profile writer's, right after it records the sale) has a higher version than any read that missed
 * the sale, and the winning row has every sale whose writer read after committing it. Hence a client, not a
 * transaction: a transaction begun before such a commit would carry an older start.
 */
export async function readCustomerSnapshots(db: Db, refs: CustomerRef[]): Promise<CustomerSnapshotRow[]> {
  if (!refs.length) return [];
  const rows = await db.$queryRaw<SnapshotDbRow[]>`
    SELECT c.tenant_id, c.id AS customer_id, l.tier,
      coalesce((
        SELECT array_agg(f.channel || ':' || f.purpose ORDER BY f.channel, f.purpose)
        FROM (
          SELECT DISTINCT ON (cc.channel, cc.purpose) cc.channel, cc.purpose, cc.granted
          FROM customer_consents cc
          WHERE cc.tenant_id = c.tenant_id AND cc.customer_id = c.id
          -- The order of consentInForceOrder (customers-store): a time ahead of the recording ranks as the recording.
          ORDER BY cc.channel, cc.purpose, least(cc.occurred_at, cc.recorded_at) DESC, cc.recorded_at DESC, cc.id DESC
        ) f WHERE f.granted
      ), '{}') AS consents,
      coalesce(c.email, '') <> '' AS has_email,
      coalesce(c.phone, '') <> '' AS has_phone,
      extract(month FROM c.date_of_birth)::int AS birth_month,
      extract(day FROM c.date_of_birth)::int AS birth_day,
      p.registered_at, c.created_at,
      coalesce((
        SELECT sum(o.item_count) FROM profile_orders o
        WHERE o.tenant_id = c.tenant_id AND o.customer_id = c.id AND o.kind = 'sale'
      ), 0)::bigint AS item_count,
      coalesce((
        SELECT jsonb_object_agg(t.tag, t.quantity) FROM (
          SELECT q.key AS tag, sum(q.value::bigint) AS quantity
          FROM profile_orders o, jsonb_each_text(o.tag_quantities) q
          WHERE o.tenant_id = c.tenant_id AND o.customer_id = c.id AND o.kind = 'sale'
          GROUP BY q.key
        ) t
      ), '{}') AS tag_quantities,
      (extract(epoch FROM now()) * 1000000)::bigint AS version
    FROM unnest(${refs.map((r) => r.tenantId)}::text[], ${refs.map((r) => r.customerId)}::text[]) AS r(tenant_id, id)
    JOIN customers c ON c.id = r.id AND c.tenant_id = r.tenant_id
    LEFT JOIN customer_profiles p ON p.customer_id = c.id
    LEFT JOIN customer_loyalty l ON l.customer_id = c.id
    WHERE c.erased_at IS NULL`;
  return rows.map((row) => ({
    tenant_id: row.tenant_id,
    customer_id: row.customer_id,
    tier: row.tier ?? "",
    consents: row.consents,
    has_email: row.has_email,
    has_phone: row.has_phone,
    has_date_of_birth: row.birth_month !== null,
    birth_month: row.birth_month ?? 0,
    birth_day: row.birth_day ?? 0,
    registered_at: row.registered_at ? clickHouseTime(row.registered_at) : null,
    created_at: clickHouseTime(row.created_at),
    item_count: Number(row.item_count),
    tag_quantities: row.tag_quantities,
    version: String(row.version),
  }));
}

const dedupe = (refs: CustomerRef[]) => [
  ...new Map(refs.map((r) => [`${r.tenantId}\u0000${r.customerId}`, r])).values(),
];

/**
 * Writes the customers' current attributes to ClickHouse: `changed` always (their attributes changed),
 * `seen` only when ClickHouse has no row for them yet (a till's first sale creates a customer without any
 * customer event, and segments need a row for every customer with facts). Returns how many were written.
 */
export async function snapshotCustomers(
  db: Db,
  target: FactsTarget,
  refs: { changed: CustomerRef[]; seen: CustomerRef[] },
): Promise<number> {
  const changed = dedupe(refs.changed);
  const changedKeys = new Set(changed.map((r) => `${r.tenantId}\u0000${r.customerId}`));
  const seen = dedupe(refs.seen).filter((r) => !changedKeys.has(`${r.tenantId}\u0000${r.customerId}`));
  const missing: CustomerRef[] = [];
  for (const [tenantId, ids] of groupByTenant(seen)) {
    const known = await customersWithSnapshot(target, tenantId, ids);
    for (const id of ids) if (!known.has(id)) missing.push({ tenantId, customerId: id });
  }
  const rows = await readCustomerSnapshots(db, [...changed, ...missing]);
  await insertCustomerSnapshots(target, rows);
  return rows.length;
}

function groupByTenant(refs: CustomerRef[]): Map<string, string[]> {
  const byTenant = new Map<string, string[]>();
  for (const r of refs) {
    const ids = byTenant.get(r.tenantId);
    if (ids) ids.push(r.customerId);
    else byTenant.set(r.tenantId, [r.customerId]);
  }
  return byTenant;
}
