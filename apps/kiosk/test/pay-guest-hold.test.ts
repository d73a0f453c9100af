import { describe, expect, it } from "vitest";
import { noSelection } from "../src/order/basket.ts";
import { needsHold } from "../src/order/pay.ts";

const member = { customer: { id: "cus_0123456789ab" } };
const guest = { customer: undefined };

describe("what paying reserves first", () => {
  it("holds a guest's coupon code, so two kiosks cannot both give its last use", () => {
    expect(needsHold(guest, { ...noSelection, couponCodes: ["FRIES50"] })).toBe(true);
    expect(needsHold({ customer: null }, { ...noSelection, couponCodes: ["FRIES50"] })).toBe(true);
  });

  it("holds a member's coupons, rewards or points", () => {
    expect(needsHold(member, { ...noSelection, couponCodes: ["FRIES50"] })).toBe(true);
    expect(needsHold(member, { ...noSelection, rewardIds: ["veg-puff"] })).toBe(true);
    expect(needsHold(member, { ...noSelection, points: 100 })).toBe(true);
  });

  it("holds nothing when nothing limited is chosen", () => {
    expect(needsHold(member, noSelection)).toBe(false);
    expect(needsHold(guest, noSelection)).toBe(false);
  });
});
