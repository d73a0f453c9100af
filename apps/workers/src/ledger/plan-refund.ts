import { lineAmount, type TransactionMessage } from "@regulars/contracts";
import type { DbTx } from "@regulars/db";
import { stableId } from "@regulars/ids";
import { refundableRemainder } from "@regulars/ledger";
import type { NewMovement } from "@regulars/ledger-store";
import { refundReversal } from "@regulars/rules";
import type { Outcome } from "@regulars/bus";
import type { TransactionRow } from "./store-transactions.ts";

interface Original {
  id: string;
  type: string;
  customerId: string | null;
  total: number;
  points: number;
  lines: { sku: string; quantity: number; amount: number; points: number }[];
  refundedAmount: number;
  refundedLines: { sku: string; quantity: number }[];
}

/**
 * Refunds reverse the points earned on the refunded lines, proportionally per line (a refunded beer
 * that earned nothing reverses nothing). The sale is locked, so two refunds of it in different workers
 * cannot both pass the "still refundable" check. Reversals may leave a negative balance.
 */
export async function planRefunds(tx: DbTx, messages: TransactionMessage[], indexes: number[], outcomes: Outcome[]) {
  const rows: TransactionRow[] = [];
  const movements: NewMovement[] = [];
  if (!indexes.length) return { rows, movements };
  const originalIds = indexes.map((i) => stableId("transaction", messages[i]!.tenantId, messages[i]!.transaction.refundOf!));
  const originals = await loadOriginals(tx, [...new Set(originalIds)]);

  indexes.forEach((i, k) => {
    const m = messages[i]!;
    const original = originals.get(originalIds[k]!);
    if (!original) {
      // The sale may still be on its way (another batch, another worker): retry, then dead-letter.
      outcomes[i] = { kind: "retry", reason: `refunded transaction ${m.transaction.refundOf} is not in the ledger yet` };
      return;
    }
    if (original.type !== "sale") {
      outcomes[i] = { kind: "reject", reason: `${m.transaction.refundOf} is a refund; only sales can be refunded` };
      return;
    }
    const remainder = refundableRemainder(original.total, original.refundedAmount);
    if (m.transaction.total > remainder) {
      outcomes[i] = { kind: "reject", reason: `refund of ${m.transaction.total} exceeds the ${remainder} still refundable on ${m.transaction.refundOf}` };
      return;
    }
    const refund = m.transaction.lines.map((l) => ({ sku: l.sku, quantity: l.quantity, amount: lineAmount(l) }));
    const reversed = refundReversal({ awardedPoints: original.points, saleLines: original.lines, refundedBefore: original.refundedLines, refund });
    // A second refund of the same sale in this batch sees this one.
    original.refundedAmount += m.transaction.total;
    original.refundedLines.push(...refund.map((l) => ({ sku: l.sku, quantity: l.quantity })));
    rows.push({
      message: m,
      customerId: original.customerId,
      points: -reversed,
      programmeVersion: null,
      explanation: { rules: [{ ruleId: "refund", type: "reverse", points: -reversed, lines: refund.map((_, n) => n), detail: `per-line share of the ${original.points} points earned by ${m.transaction.refundOf}` }] },
    });
    if (original.customerId && reversed > 0) {
      movements.push({
        tenantId: m.tenantId, customerId: original.customerId, kind: "reverse", unit: "points", amount: -reversed,
        idempotencyKey: `tx:${m.transactionId}`, transactionId: m.transactionId, occurredAt: new Date(m.transaction.occurredAt),
        sourceKey: `tx:${original.id}`, reason: `refund of ${m.transaction.refundOf}`,
      });
    }
  });
  return { rows, movements };
}

async function loadOriginals(tx: DbTx, ids: string[]): Promise<Map<string, Original>> {
  const sales = await tx.$queryRaw<{ id: string; tenant_id: string; external_id: string; type: string; customer_id: string | null; total: number; points_awarded: number; explanation: { lines?: { lineNo: number; points: number }[] } | null }[]>`
    SELECT id, tenant_id, external_id, type, customer_id, total, points_awarded, explanation FROM transactions
    WHERE id = ANY(${ids}::text[]) ORDER BY id FOR UPDATE`;
  if (!sales.length) return new Map();
  const lines = await tx.$queryRaw<{ transaction_id: string; line_no: number; sku: string; quantity: number; amount: number }[]>`
    SELECT transaction_id, line_no, sku, quantity, amount FROM transaction_lines WHERE transaction_id = ANY(${sales.map((s) => s.id)}::text[]) ORDER BY transaction_id, line_no`;
  const refunds = await tx.$queryRaw<{ refund_of: string; tenant_id: string; total: number; sku: string; quantity: number; line_no: number }[]>`
    SELECT r.refund_of, r.tenant_id, r.total, l.sku, l.quantity, l.line_no FROM transactions r
    JOIN unnest(${sales.map((s) => s.tenant_id)}::text[], ${sales.map((s) => s.external_id)}::text[]) AS s(tenant_id, external_id)
      ON r.tenant_id = s.tenant_id AND r.refund_of = s.external_id
    JOIN transaction_lines l ON l.transaction_id = r.id`;
  return new Map(
    sales.map((s) => {
      const own = lines.filter((l) => l.transaction_id === s.id);
      const linePoints = new Map((s.explanation?.lines ?? []).map((l) => [l.lineNo, l.points]));
      const prior = refunds.filter((r) => r.tenant_id === s.tenant_id && r.refund_of === s.external_id);
      return [
        s.id,
        {
          id: s.id, type: s.type, customerId: s.customer_id, total: s.total, points: s.points_awarded,
          // Sales stored without per-line points (none earned, or before per-line explanations) share by amount.
          lines: own.map((l) => ({ sku: l.sku, quantity: l.quantity, amount: l.amount, points: linePoints.get(l.line_no) ?? (s.total > 0 ? (s.points_awarded * l.amount) / s.total : 0) })),
          // One row per refund line; each refund's total is counted once, on its first line.
          refundedAmount: prior.filter((r) => r.line_no === 0).reduce((acc, r) => acc + r.total, 0),
          refundedLines: prior.map((r) => ({ sku: r.sku, quantity: r.quantity })),
        },
      ];
    }),
  );
}
