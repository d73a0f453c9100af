import { describe, expect, it } from "vitest";
import { checkoutMessages } from "../src/messages/checkout.ts";

describe("a coupon refused for its day", () => {
  // A Friday 22:00-02:00 coupon is refused `wrong_day` at 00:30 on a Friday (Thursday's night): "not valid today" would
  // tell a customer standing in a Friday that a Friday coupon does not hold on Fridays.
  it("does not say today, which is untrue in the small hours of a night begun the day before", () => {
    expect(checkoutMessages.en.refusal.wrong_day).toBe("not valid on this day or at this time");
    expect(checkoutMessages.pl.refusal.wrong_day).toBe("nie obowiązuje w tym dniu ani o tej porze");
    for (const messages of [checkoutMessages.en, checkoutMessages.pl])
      expect(messages.refusal.wrong_day).not.toMatch(/today|dzisiaj|dziś/i);
  });
});
