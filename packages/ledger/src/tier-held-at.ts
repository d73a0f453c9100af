import { type SaleUpgrade, upgradesInForce } from "@regulars/rules";
import type { LoyaltyState } from "./loyalty.ts";

/**
 * The tier the customer held at `at`: the tier held now, or, for a sale dated before `tierSince` (an offline sale
 * uploaded late, or one dated before an upgrade applied earlier in its batch), the tier the recorded upgrades say was
 * held then. It walks back the upgrades the tier rests on (`upgradesInForce`), latest first, taking each one's `from`
 * while it was made after `at`. The walk stops where a tier was not given by an upgrade (a floor, the downgrade job):
 * nothing records what came before such a change, so the tier it gave is taken as held then.
 */
export function tierHeldAt(
  state: Pick<LoyaltyState, "tier" | "tierSince" | "upgrades" | "tierHistory">,
  at: Date,
): string | null {
  if (!state.tierSince || at.getTime() >= state.tierSince.getTime()) return state.tier;
  const recorded: SaleUpgrade[] = [...(state.upgrades ?? []), ...(state.tierHistory ?? [])];
  let held = state.tier;
  for (const u of upgradesInForce(state.tier, state.tierSince, recorded)) {
    if (u.at.getTime() <= at.getTime()) break;
    held = u.upgrade.from;
  }
  return held;
}
