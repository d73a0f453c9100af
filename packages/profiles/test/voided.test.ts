import { describe, expect, it } from "vitest";
import { behaviourProfile } from "../src/index.ts";
import { NOW, refund, sale } from "./fixtures.ts";

// A sale its refunds voided is no order: neither it nor the refunds that voided it count anywhere but in the
// affinities (the taste the purchase showed), while a partial refund keeps the order and lowers the value.

describe("a voided sale", () => {
  it("leaves windows, average ticket, dates, locations and habits as if it never happened", () => {
    const kept = sale(10, 1_000, { locationId: "store-a" });
    const voided = sale(40, 800, { locationId: "store-b", channel: "app", daypart: "night", voided: true });
    const itsRefund = refund(3, 800, { locationId: "store-b", voided: true });
    const profile = behaviourProfile([kept, voided, itsRefund], NOW, null);
    expect(profile.windows).toEqual({
      d7: { orders: 0, value: 0 },
      d30: { orders: 1, value: 1_000 },
      d90: { orders: 1, value: 1_000 },
      d365: { orders: 1, value: 1_000 },
      lifetime: { orders: 1, value: 1_000 },
    });
    expect(profile.averageTicket).toBe(1_000);
    expect(profile.firstOrderAt).toBe(kept.occurredAt.toISOString());
    expect(profile.locations).toEqual([{ locationId: "store-a", visits: 1 }]);
    expect(profile.preferredChannel).toBe("kiosk");
    expect(profile.preferredDaypart).toBe("lunch");
    expect(profile.rfm.frequency).toBe(1);
  });

  it("differs from a partial refund, which keeps the order and lowers the value", () => {
    const profile = behaviourProfile([sale(10, 1_000), refund(3, 300)], NOW, null);
    expect(profile.windows.lifetime).toEqual({ orders: 1, value: 700 });
    expect(profile.windows.d7).toEqual({ orders: 0, value: -300 });
  });

  it("still shows the taste of what was bought", () => {
    const voided = sale(5, 800, { itemCount: 1, tagQuantities: { spicy: 1 }, voided: true });
    const profile = behaviourProfile([voided, refund(1, 800, { voided: true })], NOW, null);
    expect(profile.affinities).toEqual([{ tag: "spicy", share: 1 }]);
    expect(profile.windows.lifetime).toEqual({ orders: 0, value: 0 });
  });
});
