import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isDeliverableType, subscribes, subscriptionProblem, webhookEventTypes } from "../src/index.ts";

describe("subscriptions", () => {
  it("accept exact types, group wildcards of known groups, message.* and *", () => {
    for (const pattern of ["points.earned", "points.*", "segment.*", "message.*", "message.opened", "*"])
      expect(subscriptionProblem(pattern), pattern).toBeNull();
  });

  it("refuse unknown types, unknown groups and events kept inside", () => {
    expect(subscriptionProblem("points.stolen")).toMatch(/not an event type/);
    expect(subscriptionProblem("orders.*")).toMatch(/no event types start with "orders."/);
    expect(subscriptionProblem("event.recorded")).toMatch(/not an event type/);
    expect(subscriptionProblem("points")).toMatch(/not an event type/);
  });

  it("match exact types and wildcards, and never a type kept inside", () => {
    expect(subscribes(["points.earned"], "points.earned")).toBe(true);
    expect(subscribes(["points.earned"], "points.redeemed")).toBe(false);
    expect(subscribes(["points.*"], "points.redeemed")).toBe(true);
    expect(subscribes(["points.*"], "tier.changed")).toBe(false);
    expect(subscribes(["message.*"], "message.clicked")).toBe(true);
    expect(subscribes(["*"], "event.recorded")).toBe(false);
    expect(subscribes(["*"], "coupon.issued")).toBe(true);
  });

  it("a wildcard receives exactly the catalogue's types of its group", () => {
    fc.assert(
      fc.property(fc.constantFrom(...webhookEventTypes), fc.constantFrom(...webhookEventTypes), (subscribed, type) => {
        const group = subscribed.split(".")[0]!;
        expect(subscribes([`${group}.*`], type)).toBe(type.startsWith(`${group}.`));
        expect(subscribes([subscribed], type)).toBe(subscribed === type);
      }),
    );
  });

  it("no pattern delivers a type outside the catalogue and open groups", () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z_]{1,8}\.[a-z_]{1,8}$/), (type) => {
        if (!isDeliverableType(type)) expect(subscribes(["*", `${type.split(".")[0]}.*`, type], type)).toBe(false);
      }),
    );
  });
});
