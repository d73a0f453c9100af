import { describe, expect, it } from "vitest";
import {
  favouriteLocation,
  lineQuantities,
  locationVisits,
  preferredChannel,
  preferredDaypart,
  tagAffinities,
} from "../src/index.ts";
import { NOW, refund, sale } from "./fixtures.ts";

describe("favourite location, preferred channel and daypart", () => {
  it("the location with most sales; refunds are not visits", () => {
    const facts = [
      sale(10, 1, { locationId: "a" }),
      sale(9, 1, { locationId: "a" }),
      sale(1, 1, { locationId: "b" }),
      refund(0, 1, { locationId: "b" }),
      refund(0, 1, { locationId: "b" }),
    ];
    expect(locationVisits(facts, NOW).map(({ locationId, visits }) => ({ locationId, visits }))).toEqual([
      { locationId: "a", visits: 2 },
      { locationId: "b", visits: 1 },
    ]);
    expect(favouriteLocation(facts, NOW)).toBe("a");
  });

  it("ties go to the most recent", () => {
    const facts = [sale(10, 1, { locationId: "a", channel: "app" }), sale(2, 1, { locationId: "b", channel: "pos" })];
    expect(favouriteLocation(facts, NOW)).toBe("b");
    expect(preferredChannel(facts, NOW)).toBe("pos");
    expect(favouriteLocation([...facts].reverse(), NOW)).toBe("b");
  });

  it("daypart with most sales; nothing without sales", () => {
    const facts = [sale(3, 1, { daypart: "evening" }), sale(2, 1, { daypart: "evening" }), sale(1, 1)];
    expect(preferredDaypart(facts, NOW)).toBe("evening");
    expect(preferredDaypart([refund(1, 1)], NOW)).toBeNull();
    expect(preferredChannel([], NOW)).toBeNull();
  });
});

describe("tag affinities", () => {
  it("share of items carrying the tag, over every sale, rounded to 4 decimals, highest first", () => {
    const facts = [
      sale(5, 1, { itemCount: 2, tagQuantities: { vegetarian: 1 } }),
      sale(1, 1, { itemCount: 1, tagQuantities: { spicy: 1 } }),
    ];
    expect(tagAffinities(facts, NOW)).toEqual([
      { tag: "spicy", share: 0.3333 },
      { tag: "vegetarian", share: 0.3333 },
    ]);
  });

  it("a tie rounds half up, the exact tie of the integers, not of their float quotient", () => {
    const share = (tagged: number, items: number) =>
      tagAffinities([sale(1, 1, { itemCount: items, tagQuantities: { vegetarian: tagged } })], NOW)[0]?.share;
    expect(share(1, 32)).toBe(0.0313);
    expect(share(3, 32)).toBe(0.0938);
    expect(share(57, 800)).toBe(0.0713); // 57/800 × 10,000 is 712.4999… as a double
    expect(share(201, 800)).toBe(0.2513);
    expect(share(1, 3)).toBe(0.3333);
  });

  it("refunds change nothing", () => {
    const facts = [sale(5, 1, { itemCount: 4, tagQuantities: { vegetarian: 1 } })];
    const withRefund = [...facts, refund(1, 1, { itemCount: 1, tagQuantities: { vegetarian: 1 } })];
    expect(tagAffinities(withRefund, NOW)).toEqual([{ tag: "vegetarian", share: 0.25 }]);
  });

  it("a line counts its quantity once per tag, however often the tag is named", () => {
    expect(
      lineQuantities([
        { quantity: 2, tags: ["vegetarian", "vegetarian", "hot"] },
        { quantity: 1, tags: [] },
        { quantity: 3, tags: ["__proto__"] },
      ]),
    ).toEqual({ itemCount: 6, tagQuantities: { vegetarian: 2, hot: 2, ["__proto__"]: 3 } });
  });
});
