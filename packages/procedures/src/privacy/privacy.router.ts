import { DomainError } from "@regulars/errors";
import { eraseCustomer, exportCustomer, getRetention, setRetention } from "@regulars/privacy";
import { analyticsOf } from "../analytics-target.ts";
import { roleProcedure, router } from "../trpc.ts";
import { EraseCustomerInput, ExportCustomerInput, SetRetentionInput } from "./privacy.types.ts";

const admin = roleProcedure("admin");

/** GDPR for the caller's tenant's customers (admin keys; every call audited by @regulars/privacy). */
export const privacyRouter = router({
  /** Everything held about the customer, Postgres and ClickHouse, as one JSON document. A mutation: it is audited. */
  export: admin.input(ExportCustomerInput).mutation(({ ctx, input }) =>
    exportCustomer(
      { db: ctx.db, analytics: analyticsOf(ctx, "an export must include it") },
      ctx.tenantId,
      input.customerId,
      {
        actor: ctx.credential.keyId,
        now: new Date(),
      },
    ),
  ),
  /**
   * Erases the customer's personal data. Without ClickHouse in this process, its part is left to the
   * scheduled job `finish-erasures` (`clickhousePending: true`). A second call reports the first.
   */
  erase: admin.input(EraseCustomerInput).mutation(async ({ ctx, input }) => {
    if (input.confirmCustomerId !== input.customerId)
      throw new DomainError("invalid_request", "type the customer's id again to confirm the erasure", [
        { path: "confirmCustomerId", message: "must be the same as customerId" },
      ]);
    const { outbox: _publishedByTheRelay, ...outcome } = await eraseCustomer(
      { db: ctx.db, analytics: ctx.analytics ?? null },
      ctx.tenantId,
      input.customerId,
      { actor: ctx.credential.keyId, cause: "request", now: new Date() },
    );
    return outcome;
  }),
  retention: router({
    get: admin.query(({ ctx }) => getRetention(ctx.db, ctx.tenantId)),
    set: admin
      .input(SetRetentionInput)
      .mutation(({ ctx, input }) => setRetention(ctx.db, ctx.tenantId, input, ctx.credential.keyId)),
  }),
});
