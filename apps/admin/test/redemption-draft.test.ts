import { describe, expect, it } from "vitest";
import { redemptionDraftOf, redemptionOf } from "../src/pages/programme/redemption-draft.ts";

describe("the spending form's model", () => {
  it("sends the settings back as they were when nothing is edited, refunds that keep spent points included", () => {
    const kept = {
      points: 100,
      value: 500,
      minPoints: 50,
      step: 10,
      maxDiscountPerOrder: 1_000,
      refundReturnsPoints: false,
    };
    expect(redemptionOf(redemptionDraftOf(kept))).toEqual(kept);
    expect(redemptionOf({ ...redemptionDraftOf(kept), minPoints: "100" })).toEqual({ ...kept, minPoints: 100 });
  });

  it("offers 100 points for 5.00 where points cannot be spent yet, and sends null while they stay so", () => {
    const draft = redemptionDraftOf(undefined);
    expect(draft).toMatchObject({ spendable: false, points: "100", value: "500", refundReturnsPoints: true });
    expect(redemptionOf(draft)).toBeNull();
    expect(redemptionOf({ ...draft, spendable: true, maxDiscount: "" })).toEqual({
      points: 100,
      value: 500,
      minPoints: 0,
      step: 1,
      maxDiscountPerOrder: undefined,
      refundReturnsPoints: true,
    });
  });
});
