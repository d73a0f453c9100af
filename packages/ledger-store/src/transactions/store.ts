import { lineAmount, type ProcessedCouponUse, type TransactionMessage } from "@regulars/contracts";
import { type RawTx, sqlArray } from "@regulars/db";

export interface TransactionRow {
  message: TransactionMessage;
  /** transactionFingerprint of the body, to tell a later repeat from a conflict. */
  bodyHash: string;
  customerId: string | null;
  points: number;
  programmeVersion: number | null;
  explanation: unknown;
  /** What the sale produced (stamps, tier) or what the refund took back. */
  effects: unknown;
  /** Refunds: per line, the sale line it took back. */
  refundsLineNo?: (number | null)[];
  /** The coupon uses a sale's checkout committed, or those a refund gave back: announced on transaction.processed. */
  couponUses?: ProcessedCouponUse[];
}

/**
 * Inserts transactions and their lines in two set-based statements. A transaction already stored
 * (same tenant and externalId) is skipped, and so are its lines: returns the ids actually inserted.
 */
export async function storeTransactions(tx: RawTx, rows: TransactionRow[]): Promise<Set<string>> {
  if (!rows.length) return new Set();
  const col = <T>(f: (r: TransactionRow) => T) => rows.map(f);
  const inserted = await tx.$queryRaw<{ id: string }[]>`
    INSERT INTO transactions (id, tenant_id, external_id, type, refund_of, occurred_at, location_id, channel, customer_id,
                              currency, total, discount_total, points_awarded, programme_version, explanation, effects, body_hash, received_at)
    SELECT id, tenant_id, external_id, type, refund_of, occurred_at, location_id, channel, customer_id,
           currency, total, discount_total, points_awarded, programme_version, explanation::jsonb, effects::jsonb, body_hash, received_at
    FROM unnest(
      ${sqlArray(col((r) => r.message.transactionId))}::text[], ${sqlArray(col((r) => r.message.tenantId))}::text[],
      ${sqlArray(col((r) => r.message.transaction.externalId))}::text[], ${sqlArray(col((r) => r.message.transaction.type))}::text[],
      ${sqlArray(col((r) => r.message.transaction.refundOf ?? null))}::text[], ${sqlArray(col((r) => new Date(r.message.transaction.occurredAt).toISOString()))}::timestamptz[],
      ${sqlArray(col((r) => r.message.transaction.locationId))}::text[], ${sqlArray(col((r) => r.message.transaction.channel))}::text[],
      ${sqlArray(col((r) => r.customerId))}::text[], ${sqlArray(col((r) => r.message.transaction.currency))}::text[],
      ${sqlArray(col((r) => r.message.transaction.total))}::bigint[],
      ${sqlArray(col((r) => r.message.transaction.lines.reduce((acc, l) => acc + l.discount, 0)))}::bigint[],
      ${sqlArray(col((r) => r.points))}::bigint[], ${sqlArray(col((r) => r.programmeVersion))}::int[],
      ${sqlArray(col((r) => JSON.stringify(r.explanation ?? null)))}::text[], ${sqlArray(col((r) => JSON.stringify(r.effects ?? null)))}::text[],
      ${sqlArray(col((r) => r.bodyHash))}::text[], ${sqlArray(col((r) => r.message.receivedAt))}::timestamptz[]
    ) AS t(id, tenant_id, external_id, type, refund_of, occurred_at, location_id, channel, customer_id,
           currency, total, discount_total, points_awarded, programme_version, explanation, effects, body_hash, received_at)
    ON CONFLICT (tenant_id, external_id) DO NOTHING
    RETURNING id`;
  const ids = new Set(inserted.map((r) => r.id));
  const lines = rows
    .filter((r) => ids.has(r.message.transactionId))
    .flatMap((r) =>
      r.message.transaction.lines.map((line, lineNo) => ({
        r,
        line,
        lineNo,
        refundsLineNo: r.refundsLineNo?.[lineNo] ?? null,
      })),
    );
  if (lines.length) {
    const col2 = <T>(f: (x: (typeof lines)[number]) => T) => lines.map(f);
    await tx.$executeRaw`
      INSERT INTO transaction_lines (transaction_id, line_no, tenant_id, sku, name, category, tags, quantity, unit_price, discount, amount, refunds_line_no)
      SELECT transaction_id, line_no, tenant_id, sku, name, category, string_to_array(tags, E'\x1f'),
             quantity, unit_price, discount, amount, refunds_line_no
      FROM unnest(
        ${sqlArray(col2((x) => x.r.message.transactionId))}::text[], ${sqlArray(col2((x) => x.lineNo))}::int[], ${sqlArray(col2((x) => x.r.message.tenantId))}::text[],
        ${sqlArray(col2((x) => x.line.sku))}::text[], ${sqlArray(col2((x) => x.line.name))}::text[], ${sqlArray(col2((x) => x.line.category ?? null))}::text[],
        ${sqlArray(col2((x) => x.line.tags.join("\x1f")))}::text[], ${sqlArray(col2((x) => x.line.quantity))}::int[],
        ${sqlArray(col2((x) => x.line.unitPrice))}::bigint[], ${sqlArray(col2((x) => x.line.discount))}::bigint[], ${sqlArray(col2((x) => lineAmount(x.line)))}::bigint[],
        ${sqlArray(col2((x) => x.refundsLineNo))}::int[]
      ) AS l(transaction_id, line_no, tenant_id, sku, name, category, tags, quantity, unit_price, discount, amount, refunds_line_no)`;
  }
  return ids;
}
