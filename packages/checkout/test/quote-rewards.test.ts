import { describe, expect, it } from "vitest";
import { priceCheckout } from "../src/index.ts";
import { line, member, programme, seedProgramme, withLines } from "./fixtures.ts";

const puffBasket = [line("BURGER", 790), line("VEG-PUFF", 400, { quantity: 2 })];
const quote = (points: number, rewardIds: string[], lines = puffBasket, more = {}) =>
  priceCheckout(withLines(lines, { customer: member({ points }), selection: { rewardIds }, ...more }));

describe("priceCheckout: rewards", () => {
  it("20 points = free veg puff: one puff off, the reward's points spent", () => {
    const q = quote(25, ["veg-puff"]);
    expect(q.applied).toEqual([
      {
        source: "reward",
        ref: "veg-puff",
        name: "Free veg puff",
        amount: 400,
        points: 20,
        wallet: 0,
        lines: [{ lineNo: 1, amount: 400 }],
      },
    ]);
    expect(q.total).toBe(790 + 400);
    expect(q.rewards[0]).toEqual({
      id: "veg-puff",
      name: "Free veg puff",
      points: 20,
      selected: true,
      applicable: true,
      refusal: null,
    });
  });

  it("30 points = 30% off what is left of the basket", () => {
    const q = quote(30, ["thirty-off"]);
    expect(q.applied[0]).toMatchObject({ ref: "thirty-off", amount: 477, points: 30 });
    expect(q.total).toBe(1590 - 477);
  });

  it("a reward chosen twice applies twice while the points last", () => {
    expect(quote(45, ["veg-puff", "veg-puff"]).total).toBe(790);
    const short = quote(25, ["veg-puff", "veg-puff"]);
    expect(short.rewards.slice(0, 2).map((r) => r.refusal?.code ?? null)).toEqual([null, "not_enough_points"]);
    expect(short.rewards[1]!.refusal?.message).toBe("This reward needs 20 points; 5 are available.");
  });

  it("not_enough_points counts points held by other checkouts and taken by earlier rewards", () => {
    const held = priceCheckout(
      withLines(puffBasket, {
        customer: member({ points: 40, heldPoints: 15 }),
        selection: { rewardIds: ["thirty-off"] },
      }),
    );
    expect(held.rewards[0]!.refusal?.code).toBe("not_enough_points");
    expect(quote(40, ["veg-puff", "thirty-off"]).rewards[1]!.refusal?.code).toBe("not_enough_points");
  });

  it("no_matching_items without a puff; nothing_to_discount once it is paid", () => {
    expect(quote(100, ["veg-puff"], [line("BURGER", 790)]).rewards[0]!.refusal?.code).toBe("no_matching_items");
    expect(quote(100, ["thirty-off"], [line("FREEBIE", 0)]).rewards[0]!.refusal?.code).toBe("nothing_to_discount");
  });

  it("unknown and disabled rewards are unknown_reward, listed with their id only", () => {
    const disabled = programme({
      ...seedProgramme,
      rewards: [{ ...seedProgramme.rewards[0]!, enabled: false }, seedProgramme.rewards[1]!],
    });
    const q = quote(100, ["nope", "veg-puff"], puffBasket, { programme: disabled });
    expect(q.rewards).toEqual([
      { id: "nope", name: "nope", points: 0, selected: true, applicable: false, refusal: expect.anything() },
      { id: "veg-puff", name: "veg-puff", points: 0, selected: true, applicable: false, refusal: expect.anything() },
      { id: "thirty-off", name: "30% off", points: 30, selected: false, applicable: true, refusal: null },
    ]);
    expect(q.rewards.slice(0, 2).map((r) => r.refusal?.code)).toEqual(["unknown_reward", "unknown_reward"]);
    expect(q.applied).toEqual([]);
  });

  it("a bare quote lists every enabled reward, judged alone with all spendable points", () => {
    const q = quote(25, []);
    expect(q.rewards.map((r) => [r.id, r.selected, r.refusal?.code ?? null])).toEqual([
      ["veg-puff", false, null],
      ["thirty-off", false, "not_enough_points"],
    ]);
    // Chosen puff, and the 30% shown as it would be alone (not after the puff's 20 points).
    const chosen = quote(30, ["veg-puff"]);
    expect(chosen.rewards.map((r) => [r.id, r.selected, r.refusal?.code ?? null])).toEqual([
      ["veg-puff", true, null],
      ["thirty-off", false, null],
    ]);
  });

  it("without a programme there are no rewards to list", () => {
    expect(quote(100, [], puffBasket, { programme: null }).rewards).toEqual([]);
  });
});
