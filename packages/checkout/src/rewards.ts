import type { AppliedBenefit, ProgrammeConfig, Quote, Reward } from "@regulars/contracts";
import { matchesLine } from "@regulars/rules";
import { partsByLine, subtractParts, sum } from "./allocate.ts";
import { discountMatch, discountParts } from "./benefits.ts";
import type { Outcome, PricingContext } from "./context.ts";
import { refusal } from "./refusals.ts";

type RewardOption = Quote["rewards"][number];

/**
 * One catalog reward on what is left of the lines, paid from `pointsLeft` (the spendable points the
 * rewards chosen before it have not taken).
 */
export function applyReward(
  reward: Reward | undefined,
  ctx: PricingContext,
  left: readonly number[],
  pointsLeft: number,
): Outcome {
  if (reward === undefined || !reward.enabled) return { refusal: refusal("unknown_reward") };
  if (ctx.customer === null) return { refusal: refusal("customer_required") };
  if (reward.points > pointsLeft)
    return {
      refusal: refusal("not_enough_points", `This reward needs ${reward.points} points; ${pointsLeft} are available.`),
    };
  const match = discountMatch(reward.benefit);
  if (match !== undefined && !ctx.basket.lines.some((l) => matchesLine(match, l)))
    return { refusal: refusal("no_matching_items") };
  const parts = discountParts(reward.benefit, ctx.basket.lines, left);
  const amount = sum(parts);
  if (amount === 0) return { refusal: refusal("nothing_to_discount") };
  const benefit: AppliedBenefit = {
    source: "reward",
    ref: reward.id,
    name: reward.name,
    amount,
    points: reward.points,
    wallet: 0,
    lines: partsByLine(parts),
  };
  return { benefit, parts };
}

const option = (id: string, reward: Reward | undefined, outcome: Outcome, selected: boolean): RewardOption => ({
  id,
  // An unknown or disabled reward shows only its id: a disabled one is not on offer.
  name: reward?.enabled ? reward.name : id,
  points: reward?.enabled ? reward.points : 0,
  selected,
  applicable: !("refusal" in outcome),
  refusal: "refusal" in outcome ? outcome.refusal : null,
});

/**
 * The chosen rewards in order (a reward chosen twice applies twice, if the points allow), then every
 * other enabled reward judged alone on `leftBefore` with all spendable points.
 */
export function applyRewards(
  programme: ProgrammeConfig | null,
  chosen: readonly string[],
  ctx: PricingContext,
  leftBefore: readonly number[],
  spendable: number,
): { options: RewardOption[]; applied: AppliedBenefit[]; left: number[]; points: number } {
  const catalog = programme?.rewards ?? [];
  const options: RewardOption[] = [];
  const applied: AppliedBenefit[] = [];
  let left = [...leftBefore];
  let points = 0;
  for (const id of chosen) {
    const reward = catalog.find((r) => r.id === id);
    const outcome = applyReward(reward, ctx, left, spendable - points);
    if ("benefit" in outcome) {
      applied.push(outcome.benefit);
      left = subtractParts(left, outcome.parts);
      points += outcome.benefit.points;
    }
    options.push(option(id, reward, outcome, true));
  }
  for (const reward of catalog) {
    if (!reward.enabled || chosen.includes(reward.id)) continue;
    options.push(option(reward.id, reward, applyReward(reward, ctx, leftBefore, spendable), false));
  }
  return { options, applied, left, points };
}
