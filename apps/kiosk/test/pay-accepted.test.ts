import { describe, expect, it } from "vitest";
import {
  noSelection,
  type Quote,
  type RefusalCode,
  type TillCustomer,
  withPointsBalance,
} from "../src/order/basket.ts";
import { acceptedSelection, needsHold } from "../src/order/pay.ts";

const refused = (code: RefusalCode) => ({ code, message: code });

/** The parts of a quote that say what of the selection it gave: coupons, rewards, points. */
const quoted = (parts: {
  coupons?: { code: string; selected: boolean; refusal: ReturnType<typeof refused> | null }[];
  rewards?: { id: string; selected: boolean; refusal: ReturnType<typeof refused> | null }[];
  pointsRefusal?: RefusalCode;
}): Quote =>
  ({
    total: 790,
    coupons: parts.coupons ?? [],
    rewards: parts.rewards ?? [],
    points: { refusal: parts.pointsRefusal ? refused(parts.pointsRefusal) : null },
  }) as unknown as Quote;

describe("what Pay holds after the quote refused part of the selection", () => {
  it("leaves out a guest's code refused at this restaurant, so nothing is held and the order can be paid", () => {
    const chosen = { ...noSelection, couponCodes: ["AIRPORT-ONLY"] };
    const quote = quoted({ coupons: [{ code: "AIRPORT-ONLY", selected: true, refusal: refused("wrong_location") }] });
    const held = acceptedSelection(chosen, quote);
    expect(held).toEqual(noSelection);
    expect(needsHold({ customer: null }, held)).toBe(false);
  });

  it("keeps the codes the quote applied, in the order typed, whatever their case", () => {
    const chosen = { ...noSelection, couponCodes: ["fries50", "AIRPORT-ONLY", "LUNCH"] };
    const quote = quoted({
      coupons: [
        { code: "FRIES50", selected: true, refusal: null },
        { code: "AIRPORT-ONLY", selected: true, refusal: refused("wrong_location") },
        { code: "LUNCH", selected: true, refusal: null },
        { code: "WELCOME-7KQ4", selected: false, refusal: null },
      ],
    });
    expect(acceptedSelection(chosen, quote).couponCodes).toEqual(["fries50", "LUNCH"]);
  });

  it("leaves out points another till reserved and a reward they no longer pay for, keeping the rest", () => {
    const chosen = { couponCodes: ["FRIES50"], rewardIds: ["veg-puff", "coffee"], points: 200 };
    const quote = quoted({
      coupons: [{ code: "FRIES50", selected: true, refusal: null }],
      rewards: [
        { id: "veg-puff", selected: true, refusal: null },
        { id: "coffee", selected: true, refusal: refused("not_enough_points") },
      ],
      pointsRefusal: "not_enough_points",
    });
    expect(acceptedSelection(chosen, quote)).toEqual({ couponCodes: ["FRIES50"], rewardIds: ["veg-puff"], points: 0 });
  });

  it("holds everything chosen when the quote refused nothing", () => {
    const chosen = { couponCodes: ["FRIES50"], rewardIds: ["veg-puff"], points: 100 };
    const quote = quoted({
      coupons: [{ code: "FRIES50", selected: true, refusal: null }],
      rewards: [{ id: "veg-puff", selected: true, refusal: null }],
    });
    expect(acceptedSelection(chosen, quote)).toEqual(chosen);
  });
});

describe("the points in the header", () => {
  const ada = {
    view: "till",
    id: "cus_0123456789ab",
    firstName: "Ada",
    tier: null,
    points: { balance: 300, pending: 0, held: 0 },
    wallet: 0,
    walletHeld: 0,
  } as TillCustomer;

  it("take the balance a later quote read: another kiosk spent some since sign-in", () => {
    expect(withPointsBalance(ada, 100)?.points).toEqual({ balance: 100, pending: 0, held: 0 });
  });

  it("stay the same object when nothing changed, and a guest stays a guest", () => {
    expect(withPointsBalance(ada, 300)).toBe(ada);
    expect(withPointsBalance(null, 300)).toBeNull();
  });
});
