import { isRetryableConflict, isTransientDbError } from "@regulars/db";
import { describe, expect, it } from "vitest";
import { CustomerMergedMeanwhileError } from "../src/customers/resolve.ts";
import { ConcurrentApplyError } from "../src/transactions/apply-batch.ts";

// A batch that finds another writer got there first gives its attempt up; the runners retry it only when the
// error reads as a conflict Postgres rolled back (they look at the code, nothing else).
describe("the batch's own give-up errors", () => {
  it("read as serialization failures, so the whole batch is retried from scratch", () => {
    for (const e of [new ConcurrentApplyError(["tx_1"]), new CustomerMergedMeanwhileError(["cus_1"])]) {
      expect(isRetryableConflict(e)).toBe(true);
      expect(isTransientDbError(e)).toBe(true);
    }
  });
});
