import { type Bus, eraseMessages, type ScannedMessage } from "@regulars/bus";
import { type Db, sqlArray } from "@regulars/db";
import { type JobResult, partitionPositions, positionsCountIn } from "@regulars/ledger-store";
import { personIds } from "@regulars/privacy";

/** Erasures whose stream part one pass takes on: each costs a scan of the stores the customer bought in. */
const ERASURES_PER_PASS = 20;

/** The tenant and transaction a stored transaction (or a dead letter's copy of one) is about, if it reads as one. */
function transactionOf(text: string): { tenantId?: string; externalId?: string } {
  try {
    const body = JSON.parse(text) as { tenantId?: string; transaction?: { externalId?: string } };
    return { tenantId: body.tenantId, externalId: body.transaction?.externalId };
  } catch {
    return {};
  }
}

/**
 * Deletes from the transactions and dead-letter streams the erased person's messages (a till's sale names their phone
 * or card): those of their transactions in the ledger, which keeps them under the erased ids. Postgres records no
 * message's sequence and erasure has deleted the identities the partition was computed from, so the scan is narrowed
 * by what the ledger kept: the stores the person bought in (`<ns>.tx.*.<tenant>.<location>`), a week of those stores'
 * sales at most. Only messages the ledger has applied (at or below their partition's position) go: an unapplied one
 * stays for the ledger. Dead letters of the ledger are decided; theirs go too. Deleting what is already gone is a
 * no-op, so a pass cut short is simply run again.
 */
export async function eraseCustomerMessages(bus: Bus, db: Db, tenantId: string, customerIds: string[]) {
  const rows = await db.$queryRaw<{ external_id: string; location_id: string }[]>`
    SELECT external_id, location_id FROM transactions
    WHERE tenant_id = ${tenantId} AND customer_id = ANY(${sqlArray(customerIds)}::text[])`;
  if (!rows.length) return 0;
  const theirs = new Set(rows.map((r) => r.external_id));
  const isTheirs = (m: ScannedMessage) => {
    const { tenantId: tenant, externalId } = transactionOf(m.text);
    return tenant === tenantId && externalId !== undefined && theirs.has(externalId);
  };
  const { namespace, streams, subjects } = bus.topology;
  let erased = 0;

  const { created } = await bus.jsm.streams.info(streams.transactions);
  // Positions counted in a stream since made anew say nothing of this one: nothing of it is known applied.
  const positions = (await positionsCountIn(db, namespace, created)) ? await partitionPositions(db, namespace) : null;
  if (positions) {
    const applied = (m: ScannedMessage) => {
      const partition = Number(m.subject.split(".")[2]?.slice(1));
      return m.seq <= (positions.get(partition) ?? 0);
    };
    const through = Math.max(0, ...positions.values());
    for (const location of new Set(rows.map((r) => r.location_id)))
      erased += await eraseMessages(
        bus,
        streams.transactions,
        `${namespace}.tx.*.${tenantId}.${location}`,
        (m) => applied(m) && isTheirs(m),
        through,
      );
  }
  const ledgerLetter = (m: ScannedMessage) => {
    try {
      const body = JSON.parse(m.text) as { stream?: string; payload?: string };
      return body.stream === streams.transactions && isTheirs({ ...m, text: body.payload ?? "" });
    } catch {
      return false;
    }
  };
  erased += await eraseMessages(
    bus,
    streams.deadLetter,
    subjects.deadLetter(bus.topology.consumers.ledger),
    ledgerLetter,
  );
  return erased;
}

/**
 * The stream part of the tenant's erasures not done yet (`erasure_requests.streams_done_at`, migration 0079), the
 * oldest first. Marked done after its deletes: a crash before leaves it for the next pass, which finds what is left.
 */
export async function eraseStreamMessages(ctx: {
  db: Db;
  bus: Bus | null;
  tenantId: string;
  now: Date;
}): Promise<JobResult> {
  const { bus } = ctx;
  // A pass without a bus (an operator's, a test's) leaves the erasures pending for one that has it.
  if (!bus) return { acted: 0, outbox: [] };
  const pending = await ctx.db.$queryRaw<{ id: string; customer_id: string }[]>`
    SELECT id, customer_id FROM erasure_requests WHERE tenant_id = ${ctx.tenantId} AND streams_done_at IS NULL
    ORDER BY postgres_done_at, id LIMIT ${ERASURES_PER_PASS}`;
  let acted = 0;
  for (const request of pending) {
    const ids = await personIds(ctx.db, ctx.tenantId, request.customer_id);
    if ((await eraseCustomerMessages(bus, ctx.db, ctx.tenantId, ids)) > 0) acted++;
    await ctx.db.$executeRaw`UPDATE erasure_requests SET streams_done_at = ${ctx.now} WHERE id = ${request.id}`;
  }
  return { acted, outbox: [] };
}
