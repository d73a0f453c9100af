import { describe, expect, it } from "vitest";
import { averageTicket, orderSpan, windowTotals } from "../src/index.ts";
import { DAY, daysBefore, NOW, refund, sale } from "./fixtures.ts";

describe("windows", () => {
  it("counts a sale in every window it falls in, by its own time", () => {
    const w = windowTotals([sale(1, 100), sale(20, 200), sale(60, 300), sale(200, 400), sale(500, 500)], NOW);
    expect(w).toEqual({
      d7: { orders: 1, value: 100 },
      d30: { orders: 2, value: 300 },
      d90: { orders: 3, value: 600 },
      d365: { orders: 4, value: 1_000 },
      lifetime: { orders: 5, value: 1_500 },
    });
  });

  it("rolls with the clock: an order 20 days ago is in the last 30 days now, not 11 days later", () => {
    const facts = [sale(20, 1_000)];
    expect(windowTotals(facts, NOW).d30).toEqual({ orders: 1, value: 1_000 });
    expect(windowTotals(facts, new Date(NOW.getTime() + 11 * DAY)).d30).toEqual({ orders: 0, value: 0 });
    expect(windowTotals(facts, new Date(NOW.getTime() + 11 * DAY)).lifetime.orders).toBe(1);
  });

  it("bounds are (now − N days, now]: exactly N days ago is out, exactly now is in", () => {
    const atEdge = { ...sale(0, 10), occurredAt: daysBefore(7) };
    const atNow = { ...sale(0, 20), occurredAt: NOW };
    const ahead = { ...sale(0, 40), occurredAt: new Date(NOW.getTime() + 1) };
    const w = windowTotals([atEdge, atNow, ahead], NOW);
    expect(w.d7).toEqual({ orders: 1, value: 20 });
    expect(w.d30).toEqual({ orders: 2, value: 30 });
    expect(w.lifetime).toEqual({ orders: 2, value: 30 }); // a till clock ahead of ours: not happened yet
  });

  it("a refund reduces the value of the window it happened in, never the count", () => {
    const w = windowTotals([sale(40, 1_000), refund(2, 300)], NOW);
    expect(w.d7).toEqual({ orders: 0, value: -300 });
    expect(w.d90).toEqual({ orders: 1, value: 700 });
    expect(w.lifetime).toEqual({ orders: 1, value: 700 });
  });

  it("average ticket is lifetime value over orders, floored; 0 without orders", () => {
    expect(averageTicket({ orders: 3, value: 1_000 })).toBe(333);
    expect(averageTicket({ orders: 0, value: -50 })).toBe(0);
  });

  it("first and last order are sales only", () => {
    const first = sale(30, 1);
    const last = sale(3, 1);
    expect(orderSpan([last, refund(1, 1), first], NOW)).toEqual({
      first: first.occurredAt,
      last: last.occurredAt,
    });
    expect(orderSpan([refund(1, 1)], NOW)).toEqual({ first: null, last: null });
  });
});
