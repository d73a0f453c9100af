import type { ConditionContext } from "./conditions.ts";

/**
 * A transaction's lines deduplicated by their key (a redelivered line is the same row until a merge collapses it), so
 * the sums below count each once without FINAL. Sales are read only where they have a refund, which most never have.
 */
function linesOf(ctx: ConditionContext, type: "sale" | "refund", transactionIds: string): string {
  // Aliases differ from the columns: ClickHouse would read an alias named like a column in WHERE as the aggregate.
  return (
    "SELECT transaction_id AS line_of, line_no, any(sku) AS line_sku, any(amount) AS line_amount " +
    `FROM ${ctx.db}.transaction_lines WHERE tenant_id = ${ctx.tenant} AND type = '${type}' ` +
    `AND transaction_id IN (${transactionIds}) GROUP BY transaction_id, line_no`
  );
}

/**
 * The (sale id, sku) pairs whose money the sale's refunds gave back in full: the customer kept none of that product
 * from that sale, so they did not buy it there. Judged per product of the sale, not per line, because ClickHouse's
 * refund lines carry their own position, not the sale line they name (that is kept in Postgres only); a refund line
 * always has its sale line's sku, so a product's money is allocated exactly as the ledger allocates it. A product
 * that cost nothing (paid with points, or free) has no money to compare: it is taken back only with its whole sale,
 * by the voided set. A refund dated after `now` counts already: a void is never undone, nor is money given back.
 */
export function productsGivenBack(ctx: ConditionContext): string {
  const facts = `${ctx.db}.transactions WHERE tenant_id = ${ctx.tenant}`;
  const refundIds = `SELECT id FROM ${facts} AND type = 'refund'`;
  const refundedKeys = `SELECT refund_of FROM ${facts} AND type = 'refund'`;
  const refundedSaleIds = `SELECT id FROM ${facts} AND type = 'sale' AND external_id IN (${refundedKeys})`;
  const refundedSales =
    `SELECT id AS sale_id, any(external_id) AS sale_key FROM ${facts} AND type = 'sale' ` +
    `AND external_id IN (${refundedKeys}) GROUP BY id`;
  const refunds = `SELECT id AS refund_id, any(refund_of) AS refunded_key FROM ${facts} AND type = 'refund' GROUP BY id`;
  const sold =
    "SELECT sale.sale_key AS sale_key, line.line_of AS sale_id, line.line_sku AS sku, sum(line.line_amount) AS money " +
    `FROM (${linesOf(ctx, "sale", refundedSaleIds)}) AS line ` +
    `INNER JOIN (${refundedSales}) AS sale ON sale.sale_id = line.line_of ` +
    "GROUP BY sale.sale_key, line.line_of, line.line_sku";
  const given =
    "SELECT refund.refunded_key AS sale_key, line.line_sku AS sku, sum(line.line_amount) AS money " +
    `FROM (${linesOf(ctx, "refund", refundIds)}) AS line ` +
    `INNER JOIN (${refunds}) AS refund ON refund.refund_id = line.line_of ` +
    "GROUP BY refund.refunded_key, line.line_sku";
  return (
    `SELECT sold.sale_id, sold.sku FROM (${sold}) AS sold ` +
    `INNER JOIN (${given}) AS given ON given.sale_key = sold.sale_key AND given.sku = sold.sku ` +
    "WHERE sold.money > 0 AND given.money >= sold.money"
  );
}
