import { exactNumber, Prisma, type RawTx, sqlArray } from "@regulars/db";
import type { RefundedLineInput, SaleRecord, StoredRefundEffects } from "@regulars/ledger";
import {
  type MatchedRefundLine,
  matchRefundLines,
  noSaleEffects,
  pricesNamedAfter,
  refundedAfter,
  type SaleEffects,
} from "@regulars/rules";

type SaleRow = {
  id: string;
  tenant_id: string;
  external_id: string;
  type: string;
  customer_id: string | null;
  occurred_at: Date;
  total: bigint;
  points_awarded: bigint;
  explanation: { lines?: { lineNo: number; points: number; eligible?: boolean }[] } | null;
  effects: SaleEffects | null;
  used_hold: boolean;
  used_coupons: boolean;
  expired_points: bigint;
};

/**
 * What a sale's checkout committed that its refunds may give back: a hold (only a customer's sale has one), coupon
 * uses (an anonymous sale's codes too). False only when it surely committed none: its refunds then look for none.
 */
export interface CheckoutUsed {
  hold: boolean;
  coupons: boolean;
}

/**
 * A sale as its refunds need it: its record, and what its checkout used. A batch loads it afresh (a retried batch
 * too) and shares it between its refunds of the sale, each of which updates it (`planRefund`) for the next.
 */
export type RefundedSale = SaleRecord & {
  checkoutUsed: CheckoutUsed;
  /**
   * The lines the refunds of the sale earlier in this batch took back, each at its price before discounts, recorded by
   * `returnSaleCheckout` (absent before the first): they are not stored yet, and `refundedPerLine` counts only their
   * money, which says nothing of a line the checkout paid for entirely. Stored refunds' lines are read from the store.
   */
  refundLinesInBatch?: RefundedLineInput[];
};

/** The customer of each sale (read without locks), to know whose lock a refund needs before it takes it. */
export async function customersOfSales(tx: RawTx, ids: string[]): Promise<Map<string, string | null>> {
  if (!ids.length) return new Map();
  const rows = await tx.$queryRaw<
    { id: string; customer_id: string | null }[]
  >`SELECT id, customer_id FROM transactions WHERE id = ANY(${sqlArray(ids)}::text[])`;
  return new Map(rows.map((r) => [r.id, r.customer_id]));
}

/**
 * Loads and locks (in id order) the sales that refunds refer to, with their lines and what their earlier
 * refunds took back. The lock makes two refunds of one sale in different workers see each other.
 */
export async function loadSaleRecords(tx: RawTx, ids: string[]): Promise<Map<string, RefundedSale>> {
  if (!ids.length) return new Map();
  // What each sale's checkout used, read with it: a batch of refunds of sales that used none (most are anonymous)
  // then sends no statement per refund to find nothing.
  const sales = await tx.$queryRaw<SaleRow[]>`
    SELECT t.id, t.tenant_id, t.external_id, t.type, t.customer_id, t.occurred_at, t.total, t.points_awarded, t.explanation, t.effects,
      EXISTS (SELECT 1 FROM checkout_holds h WHERE h.transaction_id = t.id AND h.status = 'committed') AS used_hold,
      EXISTS (SELECT 1 FROM coupon_uses u WHERE u.transaction_id = t.id AND u.status = 'committed') AS used_coupons,
      ${expiredPointsColumn}
    FROM transactions t
    WHERE t.id = ANY(${sqlArray(ids)}::text[]) ORDER BY t.id FOR UPDATE`;
  if (!sales.length) return new Map();
  const lines = await tx.$queryRaw<
    { transaction_id: string; line_no: number; sku: string; amount: bigint; price: bigint }[]
  >`
    SELECT transaction_id, line_no, sku, amount, quantity * unit_price AS price FROM transaction_lines WHERE transaction_id = ANY(${sqlArray(sales.map((s) => s.id))}::text[]) ORDER BY transaction_id, line_no`;
  // A sale that cost no money is void as an order once its refunds named every line (`orderVoided`): the lines they
  // named are read for such sales alone, few, as the store reads them (`voided-sales.ts`).
  const refunds = await tx.$queryRaw<
    {
      id: string;
      tenant_id: string;
      refund_of: string;
      total: bigint;
      effects: StoredRefundEffects | null;
      lines_named: number[] | null;
    }[]
  >`
    SELECT r.id, r.tenant_id, r.refund_of, r.total, r.effects,
      CASE WHEN s.total = 0 THEN ARRAY(
        SELECT rl.refunds_line_no FROM transaction_lines rl WHERE rl.transaction_id = r.id AND rl.refunds_line_no IS NOT NULL
      ) END AS lines_named
    FROM transactions r
    JOIN unnest(${sqlArray(sales.map((s) => s.tenant_id))}::text[], ${sqlArray(sales.map((s) => s.external_id))}::text[],
      ${sqlArray(sales.map((s) => s.total))}::bigint[]) AS s(tenant_id, external_id, total)
      ON r.tenant_id = s.tenant_id AND r.refund_of = s.external_id
    ORDER BY r.processed_at, r.id`;
  const legacyLines = await refundLinesWithoutEffects(
    tx,
    refunds.filter((r) => !r.effects).map((r) => r.id),
  );

  return new Map(
    sales.map((s) => {
      const own = lines.filter((l) => l.transaction_id === s.id);
      const explained = new Map((s.explanation?.lines ?? []).map((l) => [l.lineNo, l]));
      const total = exactNumber(s.total);
      const points = exactNumber(s.points_awarded);
      const saleLines = own.map((l) => {
        const amount = exactNumber(l.amount);
        const line = explained.get(l.line_no);
        // Sales stored without per-line points (none earned) share by amount.
        const linePoints = line?.points ?? (total > 0 ? (points * amount) / total : 0);
        const price = exactNumber(l.price);
        return { sku: l.sku, amount, price, points: linePoints, eligible: line?.eligible ?? true };
      });
      const record: RefundedSale = {
        id: s.id,
        tenantId: s.tenant_id,
        externalId: s.external_id,
        type: s.type as "sale" | "refund",
        customerId: s.customer_id,
        occurredAt: s.occurred_at,
        total,
        points,
        lines: saleLines,
        effects: s.effects ?? noSaleEffects(),
        refundedPerLine: saleLines.map(() => 0),
        refundedTotal: 0,
        refundCount: 0,
        stampsTaken: {},
        tierRevoked: false,
        expiredPoints: exactNumber(s.expired_points),
        expiredSpared: 0,
        checkoutUsed: { hold: s.used_hold, coupons: s.used_coupons },
      };
      for (const r of refunds.filter((r) => r.tenant_id === s.tenant_id && r.refund_of === s.external_id)) {
        record.refundedTotal += exactNumber(r.total);
        record.refundCount += 1;
        const taken = r.effects?.refunded ?? legacyAllocation(record, legacyLines.get(r.id) ?? []);
        record.refundedPerLine = refundedAfter(
          record.refundedPerLine,
          saleLines.length,
          taken.map((t, k) => ({ ...t, refundLine: k })),
        );
        record.pricesNamed = pricesNamedAfter(record.pricesNamed, saleLines.length, r.effects?.refunded ?? []);
        if (r.lines_named) record.linesNamed = [...new Set([...(record.linesNamed ?? []), ...r.lines_named])];
        record.expiredSpared += r.effects?.expired ?? 0;
        for (const [card, n] of Object.entries(r.effects?.stampsTaken ?? {}))
          record.stampsTaken[card] = (record.stampsTaken[card] ?? 0) + n;
        // A refund that took back other sales' upgrades names them: this sale's own went back only if named too.
        const revoked = r.effects?.tierRevoked;
        if (revoked && (!revoked.sales || revoked.sales.includes(s.id))) record.tierRevoked = true;
      }
      return [s.id, record];
    }),
  );
}

/**
 * The points of each sale's lot that expired: the lot opened by its earn (`tx:<sale>`), followed through the lots
 * merges moved it into (`mergeKey`: a merge empties the lot it moves). A lot's own expiry is named by its lot
 * (`expire:lot:<id>`, jobs/expire-points.ts); an inactivity expiry takes the whole balance in one movement and records
 * on each lot what it took (`inactivity_expired`, none before migration 0063: those count nothing, as before), unless
 * a late sale gave it back since (`unexpire:<key>`, accounts/undo-inactivity-expiry.ts): its points are the
 * customer's again, in a lot of their own, and a refund takes them. Read with the sale, not in a statement of its own: a
 * refund's sale whose lot still holds points (most) costs the lot's two index look-ups and stops there; a sale that
 * earned nothing (anonymous ones) none.
 */
export const expiredPointsColumn = Prisma.sql`
  CASE WHEN t.points_awarded > 0 THEN (
    WITH RECURSIVE lot (key, id, customer_id, remaining, inactivity_expired, inactivity_expiry_key) AS (
      SELECT m.idempotency_key, l.id, l.customer_id, l.remaining, l.inactivity_expired, l.inactivity_expiry_key
      FROM ledger_movements m JOIN point_lots l ON l.movement_id = m.id
      WHERE m.tenant_id = t.tenant_id AND m.idempotency_key = 'tx:' || t.id
      UNION ALL
      SELECT m.idempotency_key, l.id, l.customer_id, l.remaining, l.inactivity_expired, l.inactivity_expiry_key FROM lot
      JOIN ledger_movements m ON m.tenant_id = t.tenant_id AND m.idempotency_key = 'merge:' || lot.customer_id || ':in:lot:' || lot.key
      JOIN point_lots l ON l.movement_id = m.id
      WHERE lot.remaining = 0)
    SELECT (SELECT coalesce(sum(-e.amount), 0) FROM lot
      JOIN ledger_movements e ON e.tenant_id = t.tenant_id AND e.idempotency_key = 'expire:lot:' || lot.id
      WHERE lot.remaining = 0)
    + (SELECT coalesce(sum(lot.inactivity_expired), 0) FROM lot
      WHERE lot.remaining = 0 AND lot.inactivity_expiry_key IS NOT NULL AND NOT EXISTS (SELECT 1 FROM ledger_movements u
        WHERE u.tenant_id = t.tenant_id AND u.idempotency_key = 'unexpire:' || lot.inactivity_expiry_key)))
  ELSE 0 END::int8 AS expired_points`;

/** Refunds stored before refunds recorded their allocation: their lines name a sale line, or a sku. */
async function refundLinesWithoutEffects(tx: RawTx, ids: string[]) {
  const byRefund = new Map<string, { lineNo: number | null; sku: string; amount: number }[]>();
  if (!ids.length) return byRefund;
  const rows = await tx.$queryRaw<
    { transaction_id: string; refunds_line_no: number | null; sku: string; amount: bigint }[]
  >`
    SELECT transaction_id, refunds_line_no, sku, amount FROM transaction_lines WHERE transaction_id = ANY(${sqlArray(ids)}::text[]) ORDER BY transaction_id, line_no`;
  for (const r of rows)
    byRefund.set(r.transaction_id, [
      ...(byRefund.get(r.transaction_id) ?? []),
      { lineNo: r.refunds_line_no, sku: r.sku, amount: exactNumber(r.amount) },
    ]);
  return byRefund;
}

function legacyAllocation(
  record: SaleRecord,
  lines: { lineNo: number | null; sku: string; amount: number }[],
): MatchedRefundLine[] {
  const match = matchRefundLines(record.lines, record.refundedPerLine, lines);
  return match.ok ? match.lines : [];
}
