import type { EventMessage, EventRecorded, LoyaltyEvent } from "@regulars/contracts";
import { type Db, withTransaction } from "@regulars/db";
import type { Outcome } from "@regulars/bus";
import { movementEvents, type NewMovement, type OutboxItem, outboxItem, postMovementsDetailed, resolveCustomers, trackMilestones, writeOutbox } from "@regulars/ledger-store";
import { evaluateAction, expiresAt, localDate } from "@regulars/rules";
import { loadLoyaltyStates } from "../ledger/loyalty-state.ts";
import type { ProgrammeCache } from "../ledger/programmes.ts";

/**
 * Attaches the customer to behavioural events and pays action points (feedback submitted, profile
 * completed, ...) in one database transaction. Events never create customers: an app_open from an
 * unknown device stays anonymous; accounts are created by registration or a first purchase.
 * The idempotency key encodes the rule's limit: once per customer, once per local day, or per event.
 */
export async function resolveEventBatch(db: Db, programmes: ProgrammeCache, messages: EventMessage[]): Promise<{ outcomes: Outcome[]; outbox: OutboxItem[] }> {
  const outcomes: Outcome[] = messages.map(() => ({ kind: "done" }));
  await programmes.refresh([...new Set(messages.map((m) => m.tenantId))]);
  const outbox = await withTransaction(db, async (tx) => {
    const withCustomer = messages.map((m, i) => ({ m, i })).filter(({ m }) => m.event.customer);
    const resolutions = withCustomer.length
      ? await resolveCustomers(tx, withCustomer.map(({ m }) => ({ tenantId: m.tenantId, ref: m.event.customer!, create: false, createdVia: "event" })))
      : [];
    const customerOf = new Map<number, string | null>();
    withCustomer.forEach(({ i }, k) => {
      const r = resolutions[k]!;
      if ("rejected" in r) outcomes[i] = { kind: "reject", reason: r.rejected };
      else customerOf.set(i, r.customerId);
    });

    const movements: NewMovement[] = [];
    const milestones = new Map<string, number[]>();
    for (const [i, customerId] of customerOf) {
      const m = messages[i]!;
      if (!customerId) continue;
      const programme = await programmes.inForce(m.tenantId, new Date(m.event.occurredAt));
      if (!programme || !programme.config.rules.some((r) => r.type === "action")) continue;
      milestones.set(m.tenantId, programme.config.milestones);
      const state = (await loadLoyaltyStates(tx, m.tenantId, [customerId], { config: { ...programme.config, caps: {}, tiers: undefined, stampCards: [] }, timezone: programme.timezone, from: m.event.occurredAt, to: m.event.occurredAt })).get(customerId)!;
      const paid = evaluateAction(programme.config, { type: m.event.type, occurredAt: m.event.occurredAt, channel: m.event.channel, locationId: m.event.locationId },
        { tier: state.tier, dateOfBirth: state.dateOfBirth, earnedToday: 0 }, { earnedOnceBy: new Set(), earnedTodayBy: new Set() }, programme.timezone);
      for (const p of paid) {
        const key =
          p.limit === "once" ? `action:${p.ruleId}:${customerId}` : p.limit === "per_day" ? `action:${p.ruleId}:${customerId}:${localDate(m.event.occurredAt, programme.timezone)}` : `action:${p.ruleId}:${m.id}`;
        const occurredAt = new Date(m.event.occurredAt);
        movements.push({ tenantId: m.tenantId, customerId, kind: "bonus", unit: "points", amount: p.points, idempotencyKey: key, reason: `${m.event.type} (${p.ruleId})`, occurredAt, lot: { availableAt: occurredAt, expiresAt: expiresAt(programme.config.expiry, m.event.occurredAt, programme.timezone) } });
      }
    }
    const posted = await postMovementsDetailed(tx, movements);
    const loyalty: LoyaltyEvent[] = movementEvents(posted);
    for (const [tenantId, thresholds] of milestones) loyalty.push(...(await trackMilestones(tx, thresholds, posted.filter((p) => p.tenantId === tenantId))));
    const recorded = messages.flatMap((m, i): EventRecorded[] =>
      outcomes[i]!.kind !== "done"
        ? []
        : [{
            type: "event.recorded", id: `recorded:${m.id}`, tenantId: m.tenantId, eventId: m.event.eventId, eventType: m.event.type,
            occurredAt: new Date(m.event.occurredAt).toISOString(), customerId: customerOf.get(i) ?? null,
            locationId: m.event.locationId ?? null, channel: m.event.channel ?? null, properties: m.event.properties,
          }],
    );
    const items = [...recorded.map(outboxItem), ...loyalty.map(outboxItem)];
    await writeOutbox(tx, items);
    return items;
  });
  return { outcomes, outbox };
}
