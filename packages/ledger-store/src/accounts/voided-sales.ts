import { Prisma, sqlArray } from "@regulars/db";

/**
 * When a sale's refunds void it: the one home of the rule. The order-count tier basis (`qualifying.ts`) and the
 * profile writer (@regulars/customers-store, through `refundedSalesVerdicts`) both judge by these fragments. The SQL
 * function `profile_sale_voided` (migration 0067) that once restated it is no longer called; it stays in the database
 * for a release, as processes still running the previous build call it during a rolling deploy, and its drop comes
 * with the next migration that can assume every process was upgraded.
 *
 * A sale that cost money is void once its refunds gave all of it back (refund lines never exceed their sale's, so
 * that is every line refunded in full). A sale paid wholly with points or wallet (total 0) gives no money back: it is
 * void once its refunds named every one of its lines. Refunding one line of a meal paid with points is not refunding
 * the meal, as `everyLineRefunded` (packages/ledger) judges a coupon's return.
 */

/**
 * The columns that judge one sale grouped with its refunds (the rows `h`, grouped by `coalesce(h.refund_of,
 * h.external_id)`): `sold`, `refunded`, and `all_lines_back` (for a sale paid without money: its refunds named every
 * line). `tenant` is the sales' tenant, as a bound value or a grouped column. The lines are read only for a sale of
 * total 0 with a refund, which are few.
 */
export const saleWithRefunds = (tenant: Prisma.Sql) => Prisma.sql`
  sum(h.total) FILTER (WHERE h.type = 'sale') AS sold,
  coalesce(sum(h.total) FILTER (WHERE h.type = 'refund'), 0) AS refunded,
  CASE WHEN sum(h.total) FILTER (WHERE h.type = 'sale') = 0 THEN (
    count(*) FILTER (WHERE h.type = 'refund') > 0 AND NOT EXISTS (
      SELECT 1 FROM transactions s JOIN transaction_lines sl ON sl.transaction_id = s.id
      WHERE s.tenant_id = ${tenant} AND s.type = 'sale'
        AND s.external_id = max(h.external_id) FILTER (WHERE h.type = 'sale')
        AND NOT EXISTS (
          SELECT 1 FROM transactions r JOIN transaction_lines rl ON rl.transaction_id = r.id
          WHERE r.tenant_id = ${tenant} AND r.refund_of = s.external_id AND rl.refunds_line_no = sl.line_no))
  ) ELSE false END AS all_lines_back`;

/** Whether the sale judged by `saleWithRefunds` as the relation `judged` still counts as an order (is not void). */
export const stillAnOrder = (judged: string) => {
  const o = Prisma.raw(judged);
  return Prisma.sql`(${o}.sold > ${o}.refunded OR (${o}.sold = 0 AND NOT ${o}.all_lines_back))`;
};

/**
 * Each of these sales that has at least one refund, with whether its refunds voided it (`voided`), and the
 * transaction ids of the sale and of all its refunds (`transaction_ids`). A sale never refunded, most of them, is
 * never void: it costs one probe of the refunds' partial index (`transactions_refunds_idx`, which holds refunds
 * alone) and is not read. A key naming no sale (a refund parked for it, or a refund's sale not known
 * yet) returns nothing. The probe is LATERAL with LIMIT, so every key is an index probe whatever the planner
 * estimates of the unnest.
 */
export const refundedSalesVerdicts = (sales: readonly { tenantId: string; externalId: string }[]) => Prisma.sql`
  SELECT v.tenant_id, v.external_id, NOT ${stillAnOrder("v")} AS voided, v.transaction_ids FROM (
    SELECT h.tenant_id, coalesce(h.refund_of, h.external_id) AS external_id,
      array_agg(h.id) AS transaction_ids,
      ${saleWithRefunds(Prisma.sql`h.tenant_id`)}
    FROM (
      SELECT DISTINCT * FROM unnest(${sqlArray(sales.map((s) => s.tenantId))}::text[],
        ${sqlArray(sales.map((s) => s.externalId))}::text[]) AS keys(tenant_id, external_id)
    ) x
    CROSS JOIN LATERAL (
      SELECT 1 FROM transactions r WHERE r.tenant_id = x.tenant_id AND r.refund_of = x.external_id LIMIT 1
    ) refunded
    CROSS JOIN LATERAL (
      SELECT t.id, t.tenant_id, t.external_id, t.refund_of, t.type, t.total FROM transactions t
      WHERE t.tenant_id = x.tenant_id AND t.external_id = x.external_id AND t.type = 'sale'
      UNION ALL
      SELECT t.id, t.tenant_id, t.external_id, t.refund_of, t.type, t.total FROM transactions t
      WHERE t.tenant_id = x.tenant_id AND t.refund_of = x.external_id
    ) h
    GROUP BY h.tenant_id, coalesce(h.refund_of, h.external_id)
    HAVING bool_or(h.type = 'sale')
  ) v`;
