import i18next from "i18next";
import { describe, expect, it } from "vitest";
import { checkoutMessages, refusalKeys } from "../src/messages/checkout.ts";
import { receiptMessages } from "../src/messages/receipt.ts";
import type { Quote, RefusalCode } from "../src/order/basket.ts";
import { pointsOffer } from "../src/order/points-offer.ts";

/** A quote's points part, as the server answers it for a customer with 7 spendable points. */
const pricedWith = (points: Partial<Quote["points"]>, refusal?: RefusalCode): Quote =>
  ({
    points: {
      balance: 7,
      held: 0,
      spendable: 7,
      minPoints: 0,
      step: 1,
      maxUsable: 0,
      requested: 0,
      applied: 0,
      value: 0,
      refusal: refusal ? { code: refusal, message: refusal } : null,
      ...points,
    },
  }) as unknown as Quote;

describe("the points card at checkout", () => {
  const nothingChosen = pricedWith({});

  it("offers nothing when the programme lets nobody spend points", () => {
    const preview = pricedWith({ requested: 1 }, "points_not_redeemable");
    expect(pointsOffer(nothingChosen, preview)).toBeNull();
  });

  it("offers nothing until the preview has priced an amount", () => {
    expect(pointsOffer(nothingChosen, undefined)).toBeNull();
  });

  it("says why when the customer has fewer points than one redemption takes", () => {
    const preview = pricedWith({ minPoints: 50, requested: 50 }, "below_minimum_points");
    expect(pointsOffer(nothingChosen, preview)).toEqual({ points: 50, priced: preview.points, chosen: false });
  });

  it("offers the most the basket takes, priced", () => {
    const preview = pricedWith({ maxUsable: 7, requested: 7, applied: 7, value: 35 });
    expect(pointsOffer(nothingChosen, preview)).toMatchObject({ points: 7, chosen: false, priced: { value: 35 } });
  });

  it("keeps points the customer chose on the card, refused or not, so they can take them back", () => {
    const chosen = pricedWith({ requested: 7, applied: 7, value: 35 });
    expect(pointsOffer(chosen, undefined)).toMatchObject({ points: 7, chosen: true });
    const refused = pricedWith({ requested: 7 }, "points_not_redeemable");
    expect(pointsOffer(refused, undefined)).toMatchObject({ points: 7, chosen: true });
  });
});

describe("points counted in words", () => {
  const i18n = i18next.createInstance();
  void i18n.init({
    resources: {
      en: { checkout: checkoutMessages.en, receipt: receiptMessages.en },
      pl: { checkout: checkoutMessages.pl, receipt: receiptMessages.pl },
    },
    lng: "en",
    initAsync: false,
  });
  const say = (lng: string, key: string, count: number) =>
    i18n.t(key, { lng, count, formatted: String(count), gap: String(count), name: "Lody", tier: "Gold" });

  it("uses the singular for one point in English", () => {
    expect([1, 2, 5].map((n) => say("en", "checkout:spendPoints", n))).toEqual([
      "Spend 1 point",
      "Spend 2 points",
      "Spend 5 points",
    ]);
    expect(say("en", "checkout:costsPoints", 1)).toBe("Costs 1 point");
    expect(say("en", "checkout:pointsSpent", 1)).toBe("1 point");
    expect(say("en", "receipt:rewardAhead", 1)).toBe("Next reward: Lody, 1 point to go.");
    expect(say("en", "receipt:toNext.points_earned", 1)).toBe("1 more point to earn for Gold.");
  });

  it("uses Polish's three forms: 1 punkt, 2–4 punkty, 5 and up punktów", () => {
    expect([1, 2, 4, 5, 12, 22, 25].map((n) => say("pl", "checkout:spendPoints", n))).toEqual([
      "Wydaj 1 punkt",
      "Wydaj 2 punkty",
      "Wydaj 4 punkty",
      "Wydaj 5 punktów",
      "Wydaj 12 punktów",
      "Wydaj 22 punkty",
      "Wydaj 25 punktów",
    ]);
    expect([1, 3, 7].map((n) => say("pl", "checkout:pointsSpent", n))).toEqual(["1 punkt", "3 punkty", "7 punktów"]);
    expect(say("pl", "checkout:costsPoints", 20)).toBe("Kosztuje 20 punktów");
    expect(say("pl", "receipt:rewardAhead", 893)).toBe("Następna nagroda: Lody, jeszcze 893 punkty.");
    expect(say("pl", "receipt:toNext.points_earned", 1)).toBe("Do poziomu Gold został jeszcze 1 punkt do zdobycia.");
  });

  it("says points worth more than the order are refused for that, not for having nothing to take off", () => {
    const reason = (lng: string, about: "points" | "other") =>
      i18n.t(
        refusalKeys("nothing_to_discount", about).map((key) => `checkout:${key}`),
        { lng },
      );
    expect(reason("en", "points")).toBe("these points are worth more than is left to pay");
    expect(reason("pl", "points")).toBe("te punkty są warte więcej, niż zostało do zapłaty");
    // A coupon whose products are paid already does have nothing left to take off.
    expect(reason("en", "other")).toBe("there is nothing left for it to take off");
  });

  it("still says a money gap, which has no plural forms, when given a count", () => {
    expect(say("en", "receipt:toNext.spend", 5)).toBe("Spend 5 more to reach Gold.");
  });
});
