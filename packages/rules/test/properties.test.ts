import { EarningRule, ProgrammeConfig } from "@regulars/contracts";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { evaluateEarning, paidAmount, paidUnits } from "../src/index.ts";
import { customerArb, inputArb, programmeArb, ruleArb, ZONES } from "./arbitraries.ts";
import { line } from "./fixtures.ts";

const zone = fc.constantFrom(...ZONES);
const runs = { numRuns: 400 };

describe("evaluateEarning properties", () => {
  it("points are integers ≥ 0, caps are never exceeded, every line is explained", () => {
    fc.assert(
      fc.property(programmeArb, inputArb, customerArb, zone, (p, input, customer, tz) => {
        const r = evaluateEarning(p, input, customer, tz);
        expect(Number.isInteger(r.points)).toBe(true);
        expect(r.points).toBeGreaterThanOrEqual(0);
        if (p.caps.perTransaction !== undefined) expect(r.points).toBeLessThanOrEqual(p.caps.perTransaction);
        if (p.caps.perDay !== undefined)
          expect(r.points).toBeLessThanOrEqual(Math.max(0, p.caps.perDay - customer.earnedToday));
        expect(r.lines.map((l) => l.lineNo)).toEqual(input.lines.map((_, i) => i));
        if (r.capped !== null) expect(r.capped.uncapped).toBeGreaterThan(r.points);
      }),
      runs,
    );
  });

  it("the explanation adds up: line rules sum to the line points, and the total is their floor plus fixed points, capped", () => {
    fc.assert(
      fc.property(programmeArb, inputArb, customerArb, zone, (p, input, customer, tz) => {
        const r = evaluateEarning(p, input, customer, tz);
        const linePoints = r.lines.reduce((s, l) => s + l.points, 0);
        const lineRules = r.rules
          .filter((e) => ["base_rate", "per_item", "multiplier", "tier_multiplier"].includes(e.type))
          .reduce((s, e) => s + e.points, 0);
        const fixed = r.rules
          .filter((e) => e.type === "slabs" || e.type === "per_visit")
          .reduce((s, e) => s + e.points, 0);
        expect(lineRules).toBeCloseTo(linePoints, 4);
        const uncapped = Math.floor(linePoints + 1e-6) + fixed;
        expect(r.capped?.uncapped ?? r.points).toBe(uncapped);
        for (const l of r.lines) if (!l.eligible) expect(l.points).toBe(0);
      }),
      runs,
    );
  });

  it("excluded lines never change the result", () => {
    const zz = fc
      .record({ priority: fc.integer({ min: -5, max: 5 }) })
      .map(({ priority }) => ({ id: "zz-excluded", type: "exclusion", priority, match: { tags: ["zz-excluded"] } }));
    const excludedLines = fc.array(
      fc.record({ quantity: fc.integer({ min: 1, max: 9 }), unitPrice: fc.integer({ min: 1, max: 99999 }) }),
      { minLength: 1, maxLength: 3 },
    );
    fc.assert(
      fc.property(
        programmeArb,
        zz,
        inputArb,
        excludedLines,
        customerArb,
        zone,
        (p0, exclusion, input, extra, customer, tz) => {
          // Excluded lines are paid for, so they do count towards a minBasket (pinned in min-basket.test.ts).
          const rules = [...p0.rules.map((r) => ({ ...r, minBasket: 0 })), exclusion];
          const p = ProgrammeConfig.parse({ ...p0, rules });
          const without = evaluateEarning(p, input, customer, tz);
          const lines = [
            ...input.lines,
            ...extra.map((e, i) => line(`ZZ-${i}`, e.unitPrice, { quantity: e.quantity, tags: ["zz-excluded"] })),
          ];
          const withExcluded = evaluateEarning(p, { ...input, lines }, customer, tz);
          expect(withExcluded.points).toBe(without.points);
          expect(withExcluded.capped).toEqual(without.capped);
          expect(withExcluded.lines.slice(0, input.lines.length)).toEqual(without.lines);
          expect(withExcluded.rules.filter((e) => e.ruleId !== "zz-excluded")).toEqual(without.rules);
        },
      ),
      runs,
    );
  });

  it("adding a rule that does not apply (other channel, disabled, expired, other tier, basket too small) changes nothing", () => {
    const how = fc.constantFrom("channel", "disabled", "expired", "tier", "minBasket");
    fc.assert(
      fc.property(
        programmeArb,
        ruleArb,
        how,
        fc.nat(),
        inputArb,
        customerArb,
        zone,
        (p0, extra, reason, at, input, customer, tz) => {
          const notApplicable = {
            ...extra,
            id: "zz-extra",
            ...(reason === "channel" && {
              channels: ["kiosk", "pos", "app", "web", "delivery"].filter((c) => c !== input.channel),
            }),
            ...(reason === "disabled" && { enabled: false }),
            ...(reason === "expired" && { validFrom: "2020-01-01T00:00:00Z", validTo: "2023-12-31T00:00:00Z" }),
            ...(reason === "tier" && { tiers: ["no-such-tier"] }),
            ...(reason === "minBasket" && { minBasket: input.lines.reduce((sum, l) => sum + paidAmount(l), 0) + 1 }),
          };
          const rules = [...p0.rules];
          rules.splice(at % (rules.length + 1), 0, EarningRule.parse(notApplicable));
          const p = ProgrammeConfig.parse({ ...p0, rules });
          expect(evaluateEarning(p, input, customer, tz)).toEqual(evaluateEarning(p0, input, customer, tz));
        },
      ),
      runs,
    );
  });

  it("is deterministic and does not mutate its inputs", () => {
    fc.assert(
      fc.property(programmeArb, inputArb, customerArb, zone, (p, input, customer, tz) => {
        const [pc, ic, cc] = [structuredClone(p), structuredClone(input), structuredClone(customer)];
        const first = evaluateEarning(p, input, customer, tz);
        expect(evaluateEarning(pc, ic, cc, tz)).toEqual(first);
        expect([p, input, customer]).toEqual([pc, ic, cc]);
      }),
      runs,
    );
  });

  it("list order within a priority does not change the points", () => {
    fc.assert(
      fc.property(
        programmeArb.chain((p) =>
          fc.tuple(
            fc.constant(p),
            fc.shuffledSubarray(p.rules, { minLength: p.rules.length, maxLength: p.rules.length }),
          ),
        ),
        inputArb,
        customerArb,
        zone,
        ([p, shuffled], input, customer, tz) => {
          expect(evaluateEarning({ ...p, rules: shuffled }, input, customer, tz).points).toBe(
            evaluateEarning(p, input, customer, tz).points,
          );
        },
      ),
      runs,
    );
  });

  it("an anonymous sale earns nothing", () => {
    fc.assert(
      fc.property(programmeArb, inputArb, zone, (p, input, tz) => {
        expect(evaluateEarning(p, input, null, tz)).toMatchObject({ points: 0, rules: [], capped: null });
      }),
    );
  });
});

describe("paidUnits properties", () => {
  it("counts every unit of a line except those its discount pays for in full", () => {
    const lineArb = fc
      .record({ quantity: fc.integer({ min: 1, max: 10_000 }), unitPrice: fc.integer({ min: 0, max: 1_000_000_000 }) })
      .chain((l) => fc.integer({ min: 0, max: l.quantity * l.unitPrice }).map((discount) => ({ ...l, discount })));
    fc.assert(
      fc.property(lineArb, (l) => {
        // A line priced 0 is paid nothing for, so none of its units counts.
        const freeUnits = l.unitPrice > 0 ? Math.floor(l.discount / l.unitPrice) : l.quantity;
        expect(paidUnits(l)).toBe(l.quantity - freeUnits);
      }),
      runs,
    );
  });
});
