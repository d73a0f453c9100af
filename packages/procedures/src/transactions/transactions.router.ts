import { type TransactionStatusView, tillTransactionStatus } from "@regulars/contracts";
import { DomainError } from "@regulars/errors";
import { externalIdOf, listRejections, transactionRecord, transactionStatus } from "@regulars/ledger-store";
import { z } from "zod";
import { isTill } from "../customers/customers.till.ts";
import { roleProcedure, router } from "../trpc.ts";
import { ListRejectionsInput } from "./transactions.types.ts";

export const GetTransactionInput = z.union([
  z.object({ id: z.string().min(1).max(64) }),
  z.object({ externalId: z.string().min(1).max(128) }),
]);

/**
 * What `get` answers: an admin the whole record, a till the status only. Declared, because an inferred union would
 * fold the record into the status it extends and callers would lose its lines and movements.
 */
type TransactionRead = NonNullable<Awaited<ReturnType<typeof transactionRecord>>> | TransactionStatusView;

async function tillStatus(...args: Parameters<typeof transactionStatus>) {
  const status = await transactionStatus(...args);
  return status && tillTransactionStatus(status);
}

export const transactionsRouter = router({
  /**
   * A transaction's status, as `GET /v1/transactions/{externalId}` answers it, and for an admin key, when
   * processed, its whole record: the customer and their balance, lines, ledger movements and the earning
   * explanation. A pos or kiosk key reads the status only, without whose sale it was (`tillTransactionStatus`):
   * the key that posted a transaction is not recorded with it, so the till that rang a sale up cannot be told
   * from another one guessing its (often sequential) external id.
   */
  get: roleProcedure("admin", "kiosk", "pos")
    .input(GetTransactionInput)
    .query(async ({ ctx, input }): Promise<TransactionRead> => {
      const externalId = "externalId" in input ? input.externalId : await externalIdOf(ctx.db, ctx.tenantId, input.id);
      const read = isTill(ctx) ? tillStatus : transactionRecord;
      const record: TransactionRead | null = externalId ? await read(ctx.db, ctx.tenantId, externalId) : null;
      // Not a refusal: the gateway writes what it accepted within about a second of its 202, and a till
      // reading "not accepted" would post the transaction again.
      if (!record)
        throw new DomainError(
          "not_found",
          `no transaction ${"externalId" in input ? input.externalId : `with id ${input.id}`} is known for this tenant yet; ` +
            "one answered 202 in the last second may not be visible yet: ask again",
        );
      return record;
    }),
  /**
   * What the pipeline refused for this tenant, newest first: transactions the ledger rejected and those it
   * dead-lettered, each with its reason code and message (the dead-letters page of the admin app).
   */
  rejections: roleProcedure("admin")
    .input(ListRejectionsInput)
    .query(({ ctx, input }) => listRejections(ctx.db, ctx.tenantId, input)),
});
