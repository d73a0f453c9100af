import { DomainError } from "@regulars/errors";
import { eraseCustomer, exportCustomer, getRetention, setRetention } from "@regulars/privacy";
import { analyticsOf } from "../analytics-target.ts";
import { survivorIdOf } from "../customers/customers.survivor.ts";
import { allowedTo, router } from "../trpc.ts";
import { EraseCustomerInput, ExportCustomerInput, SetRetentionInput } from "./privacy.types.ts";

const admin = allowedTo("changeCustomers");

/** GDPR for the caller's tenant's customers (admin keys; every call audited by @regulars/privacy). */
export const privacyRouter = router({
  /**
   * Everything held about the customer, Postgres and ClickHouse, as one JSON document. A mutation: it is audited.
   * By a merged-away id, the survivor's (`resolvedFrom` names the id asked for): the person's data moved there, and
   * its export includes the merged rows.
   */
  export: admin.input(ExportCustomerInput).mutation(async ({ ctx, input }) =>
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
    // Erasing only a merged-away row would leave the person's data on the survivor; an erasure is not redirected
    // silently either: the admin confirms the id that will be erased.
    const survivorId = await survivorIdOf(ctx.db, ctx.tenantId, input.customerId);
    if (survivorId !== input.customerId)
      throw new DomainError(
        "conflict",
        `this customer was merged into ${survivorId}; erase ${survivorId}, which erases both`,
        [{ path: "customerId", message: `must be ${survivorId}, the account it was merged into` }],
      );
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
