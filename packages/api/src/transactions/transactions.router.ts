import { DomainError } from "@regulars/errors";
import { stableId } from "@regulars/ids";
import { z } from "zod";
import { roleProcedure, router } from "../trpc.ts";

export const GetTransactionInput = z.union([z.object({ id: z.string().min(1) }), z.object({ externalId: z.string().min(1) })]);

export const transactionsRouter = router({
  get: roleProcedure("admin", "kiosk", "pos")
    .input(GetTransactionInput)
    .query(async ({ ctx, input }) => {
      const id = "id" in input ? input.id : stableId("transaction", ctx.tenantId, input.externalId);
      const tx = await ctx.db.transaction.findFirst({
        where: { id, tenantId: ctx.tenantId },
        include: { lines: { orderBy: { lineNo: "asc" } } },
      });
      if (!tx) throw new DomainError("not_found", "no such transaction (it may still be processing)");
      const movements = await ctx.db.ledgerMovement.findMany({ where: { tenantId: ctx.tenantId, transactionId: tx.id }, orderBy: { id: "asc" } });
      return {
        id: tx.id,
        externalId: tx.externalId,
        type: tx.type,
        refundOf: tx.refundOf,
        occurredAt: tx.occurredAt.toISOString(),
        locationId: tx.locationId,
        channel: tx.channel,
        customerId: tx.customerId,
        currency: tx.currency,
        total: tx.total,
        discountTotal: tx.discountTotal,
        pointsAwarded: tx.pointsAwarded,
        programmeVersion: tx.programmeVersion,
        explanation: tx.explanation,
        lines: tx.lines.map((l) => ({ lineNo: l.lineNo, sku: l.sku, name: l.name, category: l.category, tags: l.tags, quantity: l.quantity, unitPrice: l.unitPrice, discount: l.discount, amount: l.amount })),
        movements: movements.map((m) => ({ id: m.id, kind: m.kind, unit: m.unit, amount: m.amount, occurredAt: m.occurredAt.toISOString() })),
        processedAt: tx.processedAt.toISOString(),
      };
    }),
});
