import { transactionFingerprint } from "@regulars/contracts";
import type { RawTx } from "@regulars/db";
import type { ProgrammeCache } from "@regulars/programme";
import { describe, expect, it } from "vitest";
import { firstOccurrences } from "../src/transactions/batch-triage.ts";
import { BatchWork } from "../src/transactions/batch-work.ts";
import { line, txMessage } from "./batch-fixtures.ts";

/** A batch's working set with no database behind it: the steps tested here read only the messages. */
function work(messages: ReturnType<typeof txMessage>[]) {
  const unused = new Proxy({}, { get: () => expect.unreachable("the step must not touch the database") });
  const deps = { db: unused, programmes: unused as ProgrammeCache } as unknown as BatchWork["deps"];
  const hashes = messages.map((m) => transactionFingerprint(m.transaction));
  return new BatchWork(deps, unused as RawTx, messages, hashes, {});
}

describe("a batch's repeats", () => {
  it("apply once when the body is the same, and a changed body under the same externalId is refused", () => {
    const sale = txMessage("tenant-a", { externalId: "S-1", lines: [line("MEAL", 1000)] });
    const other = txMessage("tenant-a", { externalId: "S-2" });
    const changed = txMessage("tenant-a", { externalId: "S-1", lines: [line("MEAL", 1200)] });
    const batch = work([sale, other, { ...sale }, changed]);

    expect(firstOccurrences(batch)).toEqual([0, 1]);
    expect(batch.outcomes.map((o) => o.kind)).toEqual(["done", "done", "done", "reject"]);
    expect(batch.outcomes[3]).toEqual({
      kind: "reject",
      reason: "idempotency_conflict: externalId S-1 was posted before with a different body",
    });
    expect(batch.rejections).toEqual([
      {
        tenantId: "tenant-a",
        externalId: "S-1",
        bodyHash: transactionFingerprint(changed.transaction),
        code: "idempotency_conflict",
        message: "externalId S-1 was posted before with a different body",
      },
    ]);
  });

  it("are told apart per tenant: the same externalId of two tenants is two transactions", () => {
    const batch = work([
      txMessage("tenant-a", { externalId: "S-1" }),
      txMessage("tenant-b", { externalId: "S-1", lines: [line("MEAL", 500)] }),
    ]);
    expect(firstOccurrences(batch)).toEqual([0, 1]);
    expect(batch.rejections).toEqual([]);
  });
});

describe("a refund's sale earlier in the batch", () => {
  it("is found only before the refund, and gives the refund its customer", () => {
    const sale = txMessage("tenant-a", { externalId: "S-1" });
    const refund = txMessage("tenant-a", { externalId: "R-1", type: "refund", refundOf: "S-1" });
    const batch = work([refund, sale, { ...refund, transactionId: `${refund.transactionId}-again` }]);
    batch.customerOf.set(1, "customer-1");
    batch.saleIdOf.set(0, sale.transactionId);
    batch.saleIdOf.set(2, sale.transactionId);

    expect(batch.saleEarlierInBatch(sale.transactionId, 0)).toBe(false);
    expect(batch.saleEarlierInBatch(sale.transactionId, 2)).toBe(true);
    expect(batch.batchSaleCustomer(0)).toBeUndefined();
    expect(batch.batchSaleCustomer(2)).toBe("customer-1");
    expect(batch.isRefund(0)).toBe(true);
    expect(batch.isRefund(1)).toBe(false);
  });
});
