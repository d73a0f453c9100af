import { DomainError } from "@regulars/errors";
import { externalIdOf, listRejections, transactionRecord } from "@regulars/ledger-store";
import { z } from "zod";
import { roleProcedure, router } from "../trpc.ts";
import { ListRejectionsInput } from "./transactions.types.ts";

export const GetTransactionInput = z.union([
  z.object({ id: z.string().min(1).max(64) }),
  z.object({ externalId: z.string().min(1).max(128) }),
]);

export const transactionsRouter = router({
  /**
   * A transaction's status, as `GET /v1/transactions/{externalId}` answers it, and when processed its
   * whole record: lines, ledger movements and the earning explanation.
   */
  get: roleProcedure("admin", "kiosk", "pos")
    .input(GetTransactionInput)
    .query(async ({ ctx, input }) => {
      const externalId = "externalId" in input ? input.externalId : await externalIdOf(ctx.db, ctx.tenantId, input.id);
      const record = externalId ? await transactionRecord(ctx.db, ctx.tenantId, externalId) : null;
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
