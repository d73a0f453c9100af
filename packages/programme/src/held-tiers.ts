import type { ProgrammeConfig } from "@regulars/contracts";
import type { DbTx } from "@regulars/db";
import { DomainError, type FieldIssue } from "@regulars/errors";
import { removedTierLevels } from "./edits.ts";

const customers = (count: number) => (count === 1 ? "1 customer" : `${count} customers`);

/**
 * A tier level customers hold stays in the programme (its name, threshold and benefits may change, its id may not):
 * without its level the held tier has no rank, and nothing could judge it fairly. A sale reaching a lower level
 * would announce a downgrade as an upgrade; the ledger keeps such a tier instead (`planSale`), and lifetime tiers
 * would then keep it for good. Removing the tiers altogether is allowed (`removedTierLevels`).
 *
 * An admin's floor at a level counts too, while it is still in force when the version takes effect: a floor naming
 * a level the programme lacks is ignored (`effectiveTier`), so the customer would lose the tier they were promised.
 * Customers who reach a level after a version removing it was scheduled are settled by the tier job once it is in
 * force (`applyTierDowngrades`).
 */
export async function refuseRemovingHeldTiers(
  tx: DbTx,
  tenantId: string,
  before: ProgrammeConfig,
  after: ProgrammeConfig,
  effectiveFrom: Date,
): Promise<void> {
  const removed = removedTierLevels(before, after);
  if (!removed.length) return;
  const ids = removed.map((l) => l.id);
  const held = await tx.customerLoyalty.groupBy({
    by: ["tier"],
    where: { tenantId, tier: { in: ids } },
    _count: { _all: true },
  });
  const floors = await tx.customerLoyalty.groupBy({
    by: ["tierFloor"],
    where: { tenantId, tierFloor: { in: ids }, tierFloorUntil: { gt: effectiveFrom } },
    _count: { _all: true },
  });
  const holders = new Map(held.map((h) => [h.tier, h._count._all]));
  const floored = new Map(floors.map((f) => [f.tierFloor, f._count._all]));
  const issues: FieldIssue[] = removed.flatMap((level) => {
    const count = holders.get(level.id) ?? 0;
    const floorCount = floored.get(level.id) ?? 0;
    if (!count && !floorCount) return [];
    const who = [
      ...(count ? [`${customers(count)} ${count === 1 ? "holds" : "hold"} it`] : []),
      ...(floorCount ? [`${customers(floorCount)} ${floorCount === 1 ? "has" : "have"} it as a tier floor`] : []),
    ].join(", ");
    return [
      {
        path: "tiers.levels",
        message: `tier '${level.id}' (${level.name}) cannot be removed or have its id changed: ${who}; keep the level (its name, threshold and benefits may change)`,
      },
    ];
  });
  if (!issues.length) return;
  throw new DomainError(
    "invalid_request",
    `the programme would be invalid: ${issues[0]!.path}: ${issues.map((i) => i.message).join("; ")}`,
    issues,
  );
}
