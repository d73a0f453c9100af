import { describe, expect, it } from "vitest";
import { draftOf, type Rule, ruleOf } from "../src/pages/programme/rule-draft.ts";

const zone = "Europe/Warsaw";
// Where and when a rule applies: set through the API or the CLI as often as through the form.
const scope = {
  channels: ["kiosk"],
  locations: ["store-001", "store-017"],
  tiers: ["gold"],
  validFrom: "2026-03-01T00:00:00.000Z",
  validTo: "2026-03-31T21:59:59.000Z",
  priority: 5,
  stopProcessing: true,
  enabled: false,
  minBasket: 0,
};
const match = { skus: ["COLA-M"], categories: ["drinks"], tags: ["new"] };
const rules = [
  { id: "base", type: "base_rate", pointsPerUnit: 2, unitMinor: 100, match, minBasket: 500 },
  {
    id: "slabs",
    type: "slabs",
    slabs: [
      { minAmount: 10_000, points: 1 },
      { minAmount: 20_000, points: 4 },
    ],
  },
  { id: "drinks", type: "per_item", match, pointsPerItem: 3 },
  { id: "visit", type: "per_visit", points: 10, minAmount: 1_000 },
  { id: "tuesday", type: "multiplier", factor: 2, stackable: true, weekdays: [2], birthday: true, products: match },
  { id: "no-alcohol", type: "exclusion", match: { skus: [], categories: ["alcohol"], tags: [] } },
  { id: "feedback", type: "action", event: "feedback_submitted", points: 50, limit: "per_day" },
  // Every field as the server stores it, defaults filled in: what the form reads and must send back.
].map((r) => ({ ...scope, name: `Rule ${r.id}`, ...r }) as Rule);

describe("the rule form's model", () => {
  it.each(rules.map((r) => [r.type, r] as const))(
    "sends a %s rule back as it was when nothing is changed",
    (_, rule) => {
      expect(ruleOf(draftOf(rule, zone), zone)).toEqual(rule);
    },
  );

  it("keeps a rule's locations, tiers and validity when another field is edited", () => {
    const rule = rules[0]!;
    const draft = { ...draftOf(rule, zone), pointsPerUnit: "3" };
    expect(ruleOf(draft, zone)).toMatchObject({
      pointsPerUnit: 3,
      locations: ["store-001", "store-017"],
      tiers: ["gold"],
      validFrom: rule.validFrom,
      validTo: rule.validTo,
    });
  });

  it("shows the validity as wall-clock time in the tenant's zone and sends no limit for empty fields", () => {
    const draft = draftOf(rules[3], zone);
    // 00:00 UTC on 1 March is 01:00 in Warsaw (winter time); 21:59:59 UTC on 31 March is 23:59:59 (summer time).
    expect([draft.validFrom, draft.validTo]).toEqual(["2026-03-01T01:00", "2026-03-31T23:59:59"]);
    const open = ruleOf({ ...draft, validFrom: "", validTo: "", locations: [], tiers: [] }, zone);
    expect(open).toMatchObject({ locations: [], tiers: [] });
    expect(open.validFrom).toBeUndefined();
    expect(open.validTo).toBeUndefined();
  });

  it("keeps a rule's segment filter, so saving it from the form does not make it pay everyone", () => {
    const rule = { ...rules[3]!, segments: ["seg_regulars", "seg_students"] } as Rule;
    expect(ruleOf(draftOf(rule, zone), zone)).toEqual(rule);
    expect(ruleOf({ ...draftOf(rule, zone), points: "20" }, zone).segments).toEqual(["seg_regulars", "seg_students"]);
  });

  it("sends no segment filter when no segment is chosen", () => {
    const rule = { ...rules[0]!, segments: ["seg_regulars"] } as Rule;
    expect(ruleOf({ ...draftOf(rule, zone), segments: [] }, zone)).not.toHaveProperty("segments");
  });

  it("sends none of another type's fields", () => {
    const visit = ruleOf(draftOf(rules[3], zone), zone);
    expect(Object.keys(visit).sort()).toEqual(
      [...Object.keys(scope), "id", "name", "type", "points", "minAmount"].sort(),
    );
  });
});
