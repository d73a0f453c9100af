import type { EventMessage, EventRecorded } from "@regulars/contracts";
import { type Db, withTransaction } from "@regulars/db";
import type { Outcome } from "@regulars/bus";
import { resolveCustomers } from "@regulars/ledger-store";

/**
 * Attaches the customer to behavioural events. Events never create customers (an app_open from an
 * unknown device stays anonymous); accounts are created by registration or a first purchase.
 */
export async function resolveEventBatch(db: Db, messages: EventMessage[]): Promise<{ outcomes: Outcome[]; events: EventRecorded[] }> {
  const withCustomer = messages.map((m, i) => ({ m, i })).filter(({ m }) => m.event.customer);
  const resolutions = withCustomer.length
    ? await withTransaction(db, (tx) =>
        resolveCustomers(tx, withCustomer.map(({ m }) => ({ tenantId: m.tenantId, ref: m.event.customer!, create: false, createdVia: "event" }))),
      )
    : [];
  const customerOf = new Map<number, string | null>();
  const outcomes: Outcome[] = messages.map(() => ({ kind: "done" }));
  withCustomer.forEach(({ i }, k) => {
    const r = resolutions[k]!;
    if ("rejected" in r) outcomes[i] = { kind: "reject", reason: r.rejected };
    else customerOf.set(i, r.customerId);
  });
  const events = messages.flatMap((m, i): EventRecorded[] =>
    outcomes[i]!.kind !== "done"
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
  return { outcomes, events };
}
