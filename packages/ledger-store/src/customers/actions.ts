import { type EventMessage, type EventRecorded, eventFingerprint } from "@regulars/contracts";
import { type Db, type DbTx, sqlArray, withTransaction } from "@regulars/db";
import type { LoyaltyState, NewMovement } from "@regulars/ledger";
import type { ProgrammeCache, ProgrammeInForce } from "@regulars/programme";
import { evaluateAction, expiresAt, localDate } from "@regulars/rules";
import { postAndAnnounce } from "../accounts/announce.ts";
import { type OutboxItem, outboxItem } from "../outbox.ts";
import type { ApplyOutcome } from "../transactions/outcome.ts";
import {
  type DecidedEvent,
  decidedEvents,
  lockEvents,
  recordEventConflicts,
  recordEventOutcomes,
} from "./event-outcomes.ts";
import { loadLoyaltyStates, lockCustomers } from "./loyalty-state.ts";
import { CustomerMergedMeanwhileError, mergedAwayAmong, resolveCustomers } from "./resolve.ts";
import { loadMemberships, programmeFor } from "./segment-memberships.ts";

interface Candidate {
  index: number;
  customerId: string;
  programme: ProgrammeInForce;
  day: string;
}

/**
 * Attaches the customer to behavioural events and pays action points (feedback submitted, profile
 * completed, ...) in one database transaction. Events never create customers: an app_open from an
 * unknown device stays anonymous; accounts are created by registration or a first purchase.
 *
 * Action rules see the customer's history ("first feedback 50 points, later ones 5"): under the
 * customer's lock, the resolver reads which once / per-day rules were paid already and skips events it
 * decided before (`applied_events`), so a redelivered event never pays again even though the history
 * has moved on since. Each eventId is locked first (`lockEvents`): a copy decided by another transaction at the same
 * time, paying or not, finds that decision once it commits, and is a retry or a conflict. Idempotency keys encode
 * each rule's limit as a last line of defence. Every event's outcome is kept there too (processed for a customer or
 * none, with its points; or rejected with the reason), for the integrator to read.
 */
export async function applyEventBatch(
  db: Db,
  programmes: ProgrammeCache,
  messages: EventMessage[],
): Promise<{ outcomes: ApplyOutcome[]; outbox: OutboxItem[] }> {
  await programmes.refresh([...new Set(messages.map((m) => m.tenantId))]);
  return withTransaction(db, async (tx) => {
    // First: a copy of an event another transaction is deciding waits for that decision, then sees it.
    await lockEvents(tx, messages);
    const outcomes: ApplyOutcome[] = messages.map(() => ({ kind: "done" }));
    const customerOf = await resolveEventCustomers(tx, messages, outcomes);
    const candidates: Candidate[] = [];
    for (const [index, customerId] of customerOf) {
      const m = messages[index]!;
      if (!customerId) continue;
      const programme = await programmes.inForce(m.tenantId, new Date(m.event.occurredAt));
      if (!programme?.config.rules.some((r) => r.type === "action" && r.event === m.event.type)) continue;
      candidates.push({ index, customerId, programme, day: localDate(m.event.occurredAt, programme.timezone) });
    }
    await lockCustomers(
      tx,
      candidates.map((c) => c.customerId),
    );
    // Resolved before the locks: a merge that committed while they were awaited would pay the event's points into
    // the emptied account. Asked once more now (see `requireNoneMergedMeanwhile` of the sales' batch); the retry
    // resolves to the survivor.
    const merged = await mergedAwayAmong(tx, [...new Set(candidates.map((c) => c.customerId))]);
    if (merged.length) throw new CustomerMergedMeanwhileError(merged);
    // Every event of the batch, not only those that may pay: an anonymous event, or one no rule pays for, is
    // decided (and recorded in ClickHouse) once too. A repeat posted after JetStream's duplicate window is a new
    // message with the same id, and must change nothing, the analytics row included.
    const hashes = messages.map((m) => eventFingerprint(m.event));
    const decided = await decidedEvents(tx, messages);
    const { decidesNow, conflicts } = decidedInThisBatch(messages, hashes, decided, outcomes);
    const todo = candidates.filter((c) => decidesNow.has(c.index));
    const { movements, pointsOf } = await payActions(tx, messages, todo);
    // Every event's outcome, for the integrator (GET /v1/events/{eventId}); one decided by an earlier delivery
    // keeps the outcome it had.
    await recordEventOutcomes(
      tx,
      messages.flatMap((m, i) => {
        if (!decidesNow.has(i)) return [];
        const outcome = outcomes[i]!;
        return [
          outcome.kind === "reject"
            ? { message: m, bodyHash: hashes[i]!, status: "rejected" as const, reason: outcome.reason }
            : {
                message: m,
                bodyHash: hashes[i]!,
                status: "processed" as const,
                customerId: customerOf.get(i) ?? null,
                points: pointsOf.get(i) ?? 0,
              },
        ];
      }),
    );
    // After the outcomes: a conflict with a copy earlier in this batch is counted on the row just written.
    await recordEventConflicts(tx, conflicts);

    // Only for events decided now: one decided before was recorded then (its outbox row is in that transaction).
    const recorded = messages.flatMap((m, i): EventRecorded[] =>
      outcomes[i]!.kind !== "done" || !decidesNow.has(i)
        ? []
        : [
            {
              type: "event.recorded",
              id: `recorded:${m.id}`,
              tenantId: m.tenantId,
              eventId: m.event.eventId,
              eventType: m.event.type,
              occurredAt: new Date(m.event.occurredAt).toISOString(),
              customerId: customerOf.get(i) ?? null,
              locationId: m.event.locationId ?? null,
              channel: m.event.channel ?? null,
              properties: m.event.properties,
            },
          ],
    );
    const milestones = new Map(todo.map((c) => [messages[c.index]!.tenantId, c.programme.config.milestones]));
    const { outbox } = await postAndAnnounce(tx, movements, {
      milestonesOf: (tenantId) => milestones.get(tenantId) ?? [],
      extraOutbox: recorded.map(outboxItem),
      // An event.recorded for every event: one outbox row per tenant and batch, as the ledger writes its batches.
      batch: true,
    });
    return { outcomes, outbox };
  });
}

async function resolveEventCustomers(
  tx: DbTx,
  messages: EventMessage[],
  outcomes: ApplyOutcome[],
): Promise<Map<number, string | null>> {
  const withCustomer = messages.map((m, i) => ({ m, i })).filter(({ m }) => m.event.customer);
  const resolutions = withCustomer.length
    ? await resolveCustomers(
        tx,
        withCustomer.map(({ m }) => ({
          tenantId: m.tenantId,
          ref: m.event.customer!,
          create: false,
          createdVia: "event",
        })),
      )
    : [];
  const customerOf = new Map<number, string | null>();
  withCustomer.forEach(({ i }, k) => {
    const r = resolutions[k]!;
    if ("rejected" in r) outcomes[i] = { kind: "reject", reason: `unknown_customer: ${r.rejected}` };
    else customerOf.set(i, r.customerId);
  });
  return customerOf;
}

const onceKey = (ruleId: string, customerId: string) => `action:${ruleId}:${customerId}`;
const dayKey = (ruleId: string, customerId: string, day: string) => `action:${ruleId}:${customerId}:${day}`;

/** Everyone merged into each of `customerIds`, by the customer they became (one level: see customer_merges). */
async function mergedInto(tx: DbTx, customerIds: readonly string[]): Promise<Map<string, string[]>> {
  const rows = customerIds.length
    ? await tx.$queryRaw<{ merged_id: string; into_id: string }[]>`
        SELECT merged_id, into_id FROM customer_merges WHERE into_id = ANY(${sqlArray([...new Set(customerIds)])}::text[])`
    : [];
  const out = new Map<string, string[]>();
  for (const r of rows) out.set(r.into_id, [...(out.get(r.into_id) ?? []), r.merged_id]);
  return out;
}

/** In stream order, each event against the history so far (what was paid before, and earlier in the batch). */
async function payActions(
  tx: DbTx,
  messages: EventMessage[],
  todo: Candidate[],
): Promise<{ movements: NewMovement[]; pointsOf: Map<number, number> }> {
  // A customer merged into one of these earned as the same person, under their own id (the ledger is append-only):
  // an action they were paid for once, or today, was paid to the person the account is.
  const merged = await mergedInto(
    tx,
    todo.map((c) => c.customerId),
  );
  const personIds = (customerId: string) => [customerId, ...(merged.get(customerId) ?? [])];
  const limited = todo.flatMap((c) =>
    c.programme.config.rules.flatMap((r) =>
      r.type !== "action"
        ? []
        : r.limit === "once"
          ? personIds(c.customerId).map((id) => onceKey(r.id, id))
          : r.limit === "per_day"
            ? personIds(c.customerId).map((id) => dayKey(r.id, id, c.day))
            : [],
    ),
  );
  const found = limited.length
    ? await tx.$queryRaw<{ tenant_id: string; idempotency_key: string }[]>`
        SELECT tenant_id, idempotency_key FROM ledger_movements
        WHERE tenant_id = ANY(${[...new Set(todo.map((c) => messages[c.index]!.tenantId))]}::text[]) AND idempotency_key = ANY(${limited}::text[])`
    : [];
  const paid = new Set(found.map((r) => `${r.tenant_id}\u0000${r.idempotency_key}`));
  const { states, memberships } = await statesOf(tx, messages, todo);
  const movements: NewMovement[] = [];
  const pointsOf = new Map<number, number>();
  for (const c of todo.sort((a, b) => a.index - b.index)) {
    const m = messages[c.index]!;
    const has = (key: (id: string) => string) =>
      personIds(c.customerId).some((id) => paid.has(`${m.tenantId}\u0000${key(id)}`));
    const actionRules = c.programme.config.rules.filter((r) => r.type === "action");
    const history = {
      earnedOnceBy: new Set(actionRules.filter((r) => has((id) => onceKey(r.id, id))).map((r) => r.id)),
      earnedTodayBy: new Set(actionRules.filter((r) => has((id) => dayKey(r.id, id, c.day))).map((r) => r.id)),
    };
    const state = states.get(c.customerId);
    const awards = evaluateAction(
      programmeFor(c.programme, memberships, c.customerId).config,
      { type: m.event.type, occurredAt: m.event.occurredAt, channel: m.event.channel, locationId: m.event.locationId },
      { tier: state?.tier ?? null, dateOfBirth: state?.dateOfBirth ?? null, earnedToday: 0 },
      history,
      c.programme.timezone,
    );
    const occurredAt = new Date(m.event.occurredAt);
    for (const award of awards) {
      const key =
        award.limit === "once"
          ? onceKey(award.ruleId, c.customerId)
          : award.limit === "per_day"
            ? dayKey(award.ruleId, c.customerId, c.day)
            : `action:${award.ruleId}:${m.id}`;
      paid.add(`${m.tenantId}\u0000${key}`);
      pointsOf.set(c.index, (pointsOf.get(c.index) ?? 0) + award.points);
      movements.push({
        tenantId: m.tenantId,
        customerId: c.customerId,
        kind: "bonus",
        unit: "points",
        amount: award.points,
        idempotencyKey: key,
        reason: `${m.event.type} (${award.ruleId})`,
        occurredAt,
        lot: {
          availableAt: occurredAt,
          expiresAt: expiresAt(c.programme.config.expiry, m.event.occurredAt, c.programme.timezone),
        },
      });
    }
  }
  return { movements, pointsOf };
}

/**
 * Tier and date of birth (for tier- and birthday-filtered action rules), and segment memberships where an action rule
 * filters on a segment, per tenant in one go.
 */
async function statesOf(tx: DbTx, messages: EventMessage[], todo: Candidate[]) {
  const states = new Map<string, LoyaltyState>();
  const memberships = new Map<string, ReadonlySet<string>>();
  for (const tenantId of new Set(todo.map((c) => messages[c.index]!.tenantId))) {
    const mine = todo.filter((c) => messages[c.index]!.tenantId === tenantId);
    const { config, timezone } = mine[0]!.programme;
    const at = messages[mine[0]!.index]!.event.occurredAt;
    const loaded = await loadLoyaltyStates(
      tx,
      tenantId,
      mine.map((c) => c.customerId),
      { config: { ...config, caps: {}, tiers: undefined, stampCards: [] }, timezone, from: at, to: at },
    );
    for (const [id, s] of loaded) states.set(id, s);
    const configs = mine.map((c) => c.programme.config);
    const segments = await loadMemberships(
      tx,
      tenantId,
      mine.map((c) => c.customerId),
      configs,
    );
    for (const [id, m] of segments) memberships.set(id, m);
  }
  return { states, memberships };
}

/**
 * The indexes of the events this batch decides: not decided by an earlier delivery, and the first copy of each. A
 * repeat with the body decided (or a copy of one decided now) changes nothing; another body under the eventId is an
 * idempotency conflict (SPEC: never a silent duplicate), refused as the ledger refuses a sale's (`notYetApplied`):
 * dead-lettered with the reason and counted on the decided event, whose outcome stands. A dead letter decided nothing,
 * but its body was posted first: replayed, that body is decided afresh; another body is a conflict, counted on it.
 */
function decidedInThisBatch(
  messages: EventMessage[],
  hashes: string[],
  decided: Map<string, DecidedEvent>,
  outcomes: ApplyOutcome[],
): { decidesNow: Set<number>; conflicts: { tenantId: string; id: string; bodyHash: string }[] } {
  const stored = new Map(decided);
  const decidesNow = new Set<number>();
  const conflicts: { tenantId: string; id: string; bodyHash: string }[] = [];
  messages.forEach((m, i) => {
    const key = `${m.tenantId}\u0000${m.id}`;
    const row = stored.get(key);
    // A row stored without a fingerprint predates them: it cannot be told from a retry.
    const sameBody = row?.bodyHash === null || row?.bodyHash === hashes[i];
    if (!row || (row.deadLettered && sameBody)) {
      stored.set(key, { bodyHash: hashes[i]!, deadLettered: false });
      decidesNow.add(i);
      return;
    }
    if (sameBody) return;
    conflicts.push({ tenantId: m.tenantId, id: m.id, bodyHash: hashes[i]! });
    outcomes[i] = {
      kind: "reject",
      reason:
        `idempotency_conflict: eventId ${m.event.eventId} was decided before with a different body; ` +
        "post the change under a new eventId",
    };
  });
  return { decidesNow, conflicts };
}
