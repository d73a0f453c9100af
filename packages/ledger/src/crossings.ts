import type { LoyaltyEvent } from "@regulars/contracts";
import { campaignOfActor, type PostedMovement } from "./movement.ts";

/** Where a customer stands against one milestone: how many upward crossings so far, and above it now? */
export interface CrossingState {
  crossing: number;
  above: boolean;
}

export interface CrossingChanges {
  /** New crossings (the customer rose to the threshold): each is announced once. */
  inserts: { customerId: string; tenantId: string; threshold: number; crossing: number }[];
  /** Crossings the customer fell back from: the next rise is a new crossing. */
  closes: { customerId: string; threshold: number; crossing: number }[];
  events: LoyaltyEvent[];
}

export const crossingKey = (customerId: string, threshold: number) => `${customerId}:${threshold}`;

/**
 * Balance milestones ("You've reached 100 points"), announced once per upward crossing. Movements are
 * walked in order, so a rise and a fall inside one batch are both seen. `state` holds the latest crossing
 * per customer and threshold (missing: never crossed) and is updated in place.
 */
export function milestoneChanges(
  thresholds: readonly number[],
  posted: readonly PostedMovement[],
  state: Map<string, CrossingState>,
): CrossingChanges {
  const changes: CrossingChanges = { inserts: [], closes: [], events: [] };
  for (const m of posted) {
    if (m.unit !== "points" || !m.balance || m.balance.before === m.balance.after) continue;
    const { before, after } = m.balance;
    for (const t of new Set(thresholds)) {
      const key = crossingKey(m.customerId, t);
      const s = state.get(key) ?? { crossing: 0, above: false };
      if (!s.above && before < t && after >= t) {
        const next = { crossing: s.crossing + 1, above: true };
        state.set(key, next);
        changes.inserts.push({ customerId: m.customerId, tenantId: m.tenantId, threshold: t, crossing: next.crossing });
        changes.events.push({
          type: "points.milestone",
          id: `milestone:${m.customerId}:${t}:${next.crossing}`,
          tenantId: m.tenantId,
          customerId: m.customerId,
          occurredAt: m.occurredAt.toISOString(),
          threshold: t,
          balance: after,
          crossing: next.crossing,
        });
      } else if (s.above && after < t) {
        state.set(key, { crossing: s.crossing, above: false });
        changes.closes.push({ customerId: m.customerId, threshold: t, crossing: s.crossing });
      }
    }
  }
  return changes;
}

/**
 * points.earned / points.redeemed / points.expired for each posted point movement, and points.reversed for a
 * negative bonus (a refund taking back a coupon's, tier's or stamp card's reward). A negative `reverse` (a refund
 * taking back earned points) publishes nothing: the refund's transaction.processed carries it as negative points.
 */
export function movementEvents(posted: readonly PostedMovement[]): LoyaltyEvent[] {
  return posted.flatMap((m): LoyaltyEvent[] => {
    if (m.unit !== "points" || m.kind === "release") return [];
    const base = {
      id: `${m.kind}:${m.id}`,
      tenantId: m.tenantId,
      customerId: m.customerId,
      occurredAt: m.occurredAt.toISOString(),
    };
    const balance = m.balance?.after ?? 0;
    if (m.amount > 0) {
      // A campaign's bonus names the campaign, so it does not start that campaign again (see `causedByCampaignId`).
      const causedBy = campaignOfActor(m.actor);
      return [
        {
          ...base,
          type: "points.earned",
          points: m.amount,
          movementKind: m.kind,
          transactionId: m.transactionId ?? null,
          pending: m.account === "points_pending",
          balance,
          ...(causedBy !== null ? { causedByCampaignId: causedBy } : {}),
        },
      ];
    }
    if (m.kind === "redeem")
      return [{ ...base, type: "points.redeemed", points: -m.amount, transactionId: m.transactionId ?? null, balance }];
    if (m.kind === "expire") return [{ ...base, type: "points.expired", points: -m.amount, balance }];
    if (m.kind === "bonus")
      return [
        {
          ...base,
          type: "points.reversed",
          points: -m.amount,
          movementKind: m.kind,
          transactionId: m.transactionId ?? null,
          balance,
        },
      ];
    return [];
  });
}
