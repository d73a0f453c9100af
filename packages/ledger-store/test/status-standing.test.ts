import { describe, expect, it } from "vitest";
import { standingOf } from "../src/transactions/status-standing.ts";

const processed = { id: "txn_stored" };
const waiting = { refundOf: "SALE-1" };
const receipt = { transactionId: "txn_received" };
const conflict = { code: "idempotency_conflict", message: "posted before with a different body" };
const notFound = { code: "refunded_sale_not_found", message: "the refunded sale SALE-1 did not arrive" };
const nothing = { processed: null, waiting: null, rejections: [], receipt: null };

describe("which fact answers a transaction's status", () => {
  it("a stored transaction, whatever else is known, counting only conflicts among the refusals", () => {
    expect(standingOf({ processed, waiting, rejections: [conflict, notFound, conflict], receipt })).toEqual({
      status: "processed",
      processed,
      conflicts: 2,
    });
  });

  it("else a refund waiting for its sale, over any refusal under its externalId", () => {
    expect(standingOf({ ...nothing, waiting, rejections: [conflict], receipt })).toEqual({
      status: "waiting",
      waiting,
      conflicts: 1,
    });
    // A refund refused once, then replayed and parked again, waits: the old refusal is no conflict.
    expect(standingOf({ ...nothing, waiting, rejections: [notFound] })).toEqual({
      status: "waiting",
      waiting,
      conflicts: 0,
    });
  });

  it("else the newest refusal, over a receipt", () => {
    expect(standingOf({ ...nothing, rejections: [notFound, conflict], receipt })).toEqual({
      status: "rejected",
      rejection: notFound,
    });
    expect(standingOf({ ...nothing, rejections: [conflict] })).toEqual({ status: "rejected", rejection: conflict });
  });

  it("else the receipt: still on its way; and nothing known is null", () => {
    expect(standingOf({ ...nothing, receipt })).toEqual({ status: "accepted", receipt, conflicts: 0 });
    expect(standingOf(nothing)).toBeNull();
  });
});
