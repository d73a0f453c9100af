import { TierProgramme } from "@regulars/contracts";
import { describe, expect, it } from "vitest";
import { gapsToTiers } from "../src/index.ts";
import { tiers as tierConfig } from "./fixtures.ts";

const tiers = TierProgramme.parse(tierConfig);

describe("gapsToTiers: what the value lacks of each tier above the one held", () => {
  it('silver at 480 points earned: "Only 20 points to gold"; nothing of the tiers held or below', () => {
    expect(gapsToTiers(tiers, 480, "silver")).toEqual({ gold: 20 });
    expect(gapsToTiers(tiers, 50, null)).toEqual({ silver: 150, gold: 450 });
  });

  it("a customer already gold, whatever their value, is shown no way to gold", () => {
    expect(gapsToTiers(tiers, 480, "gold")).toEqual({});
  });
});
