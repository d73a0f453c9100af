import { exactNumber } from "@regulars/db";
import { DomainError } from "@regulars/errors";
import { stableId } from "@regulars/ids";
import { transactionStatus } from "@regulars/ledger-store";
import { z } from "zod";
import { roleProcedure, router, type TenantContext } from "../trpc.ts";

export const GetTransactionInput = z.union([
  z.object({ id: z.string().min(1).max(64) }),
  z.object({ externalId: z.string().min(1).max(128) }),
]);

/** The externalId a transaction id was accepted under (ids are derived from it, so only a record tells). */
async function externalIdOf(ctx: TenantContext, id: string): Promise<string | null> {
  const [tx, receipt] = await Promise.all([
    ctx.db.transaction.findFirst({ where: { id, tenantId: ctx.tenantId }, select: { externalId: true } }),
    ctx.db.transactionReceipt.findFirst({
      where: { transactionId: id, tenantId: ctx.tenantId },
      select: { externalId: true },
    }),
  ]);
  return tx?.externalId ?? receipt?.externalId ?? null;
}

export const transactionsRouter = router({
  /**
   * A transaction's status, as `GET /v1/transactions/{externalId}` answers it, and when processed its
   * whole record: lines, ledger movements and the earning explanation.
   */
  get: roleProcedure("admin", "kiosk", "pos")
    .input(GetTransactionInput)
    .query(async ({ ctx, input }) => {
      const externalId = "externalId" in input ? input.externalId : await externalIdOf(ctx, input.id);
      const status = externalId ? await transactionStatus(ctx.db, ctx.tenantId, externalId) : null;
      if (!status)
        throw new DomainError(
          "not_found",
          "no such transaction: it was never accepted, or it was posted with another key's tenant",
        );
      if (status.status !== "processed") return status;
      const id = stableId("transaction", ctx.tenantId, status.externalId);
      const tx = await ctx.db.transaction.findFirstOrThrow({
        where: { id, tenantId: ctx.tenantId },
        include: { lines: { orderBy: { lineNo: "asc" } } },
      });
      const movements = await ctx.db.ledgerMovement.findMany({
        where: { tenantId: ctx.tenantId, transactionId: tx.id },
        orderBy: { id: "asc" },
      });
      return {
        ...status,
        refundOf: tx.refundOf,
        locationId: tx.locationId,
        channel: tx.channel,
        currency: tx.currency,
        total: exactNumber(tx.total),
        discountTotal: exactNumber(tx.discountTotal),
        programmeVersion: tx.programmeVersion,
        explanation: tx.explanation,
        lines: tx.lines.map((l) => ({
          lineNo: l.lineNo,
          sku: l.sku,
          name: l.name,
          category: l.category,
          tags: l.tags,
          quantity: l.quantity,
          unitPrice: exactNumber(l.unitPrice),
          discount: exactNumber(l.discount),
          amount: exactNumber(l.amount),
          refundsLineNo: l.refundsLineNo,
        })),
        movements: movements.map((m) => ({
          id: m.id,
          kind: m.kind,
          unit: m.unit,
          amount: exactNumber(m.amount),
          occurredAt: m.occurredAt.toISOString(),
        })),
      };
    }),
});
