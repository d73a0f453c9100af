import { type Bus, eraseMessages, type ScannedMessage } from "@regulars/bus";
import { type Db, sqlArray } from "@regulars/db";
import type { JobResult } from "@regulars/ledger-store";
import { personIds } from "@regulars/privacy";
import { positionsNow } from "../ledger/backlog.ts";

/** Erasures one pass takes on: their stores are scanned once for all of them, so this bounds memory, not scans. */
const ERASURES_PER_PASS = 100;

/**
 * How far before a transaction's `received_at` (the gateway's clock) its message may be stored (the NATS server's
 * clock): the scans start this much earlier than the earliest, so a skewed clock does not hide a message.
 */
const CLOCK_SKEW_MS = 5 * 60_000;

interface TheirTransaction {
  external_id: string;
  location_id: string;
  received_at: Date;
}

/** The tenant and transaction a stored transaction (or a dead letter's copy of one) is about, if it reads as one. */
function transactionOf(text: string): { tenantId?: string; externalId?: string; refundOf?: string } {
  try {
    const body = JSON.parse(text) as {
      tenantId?: string;
      transaction?: { externalId?: string; refundOf?: string | null };
    };
    const refundOf = body.transaction?.refundOf ?? undefined;
    return { tenantId: body.tenantId, externalId: body.transaction?.externalId, ...(refundOf ? { refundOf } : {}) };
  } catch {
    return {};
  }
}

const earliest = (rows: TheirTransaction[]) =>
  new Date(Math.min(...rows.map((r) => r.received_at.getTime())) - CLOCK_SKEW_MS);

/**
 * Deletes from the transactions and dead-letter streams the erased people's messages that the ledger's rows still
 * tie to them: Postgres records no message's sequence and erasure has deleted the identities the partition was
 * computed from, so what is found is what the ledger kept under the erased ids (`theirs`).
 * - Transactions: each store the people bought in is scanned once (`<ns>.tx.*.<tenant>.<location>`), from the
 *   earliest of their sales there; only messages the ledger has applied go, an unapplied one stays for the ledger.
 * - Ledger dead letters, scanned once from the earliest of their sales: a letter of a transaction the ledger stored
 *   under them, or of a refund of one of their sales (the ledger rejects a refund its sale's lines do not cover).
 *   Not found, so kept for the stream's 30 days: letters of their sales the ledger rejected (no row under their ids
 *   names them) and letters that kept only the beginning of their payload (they do not parse).
 * Returns false when the transactions could not be judged (positions not yet counted in a stream made anew): the
 * erasures stay pending. Deleting what is already gone is a no-op, so a pass cut short is simply run again.
 */
async function eraseTheirMessages(bus: Bus, db: Db, tenantId: string, customerIds: string[]): Promise<boolean> {
  const rows = await db.$queryRaw<TheirTransaction[]>`
    SELECT external_id, location_id, received_at FROM transactions
    WHERE tenant_id = ${tenantId} AND customer_id = ANY(${sqlArray(customerIds)}::text[])`;
  if (!rows.length) return true;
  const theirs = new Set(rows.map((r) => r.external_id));
  const isTheirs = (text: string) => {
    const { tenantId: tenant, externalId, refundOf } = transactionOf(text);
    return tenant === tenantId && [externalId, refundOf].some((id) => id !== undefined && theirs.has(id));
  };
  const { namespace, streams, subjects, consumers } = bus.topology;

  const positions = await positionsNow(bus, db);
  if (positions) {
    const applied = (m: ScannedMessage) => {
      const partition = Number(m.subject.split(".")[2]?.slice(1));
      return m.seq <= (positions.get(partition) ?? 0);
    };
    const throughSeq = Math.max(0, ...positions.values());
    const byLocation = new Map<string, TheirTransaction[]>();
    for (const row of rows) byLocation.set(row.location_id, [...(byLocation.get(row.location_id) ?? []), row]);
    for (const [location, atLocation] of byLocation) {
      const range = { filter: `${namespace}.tx.*.${tenantId}.${location}`, since: earliest(atLocation), throughSeq };
      await eraseMessages(bus, streams.transactions, range, (m) => applied(m) && isTheirs(m.text));
    }
  }
  const ledgerLetter = (m: ScannedMessage) => {
    try {
      const body = JSON.parse(m.text) as { stream?: string; payload?: string };
      return body.stream === streams.transactions && isTheirs(body.payload ?? "");
    } catch {
      return false;
    }
  };
  const letters = { filter: subjects.deadLetter(consumers.ledger), since: earliest(rows) };
  await eraseMessages(bus, streams.deadLetter, letters, ledgerLetter);
  return positions !== null;
}

/**
 * The stream part of the tenant's erasures not done yet (`erasure_requests.streams_done_at`, migration 0079), the
 * oldest first, all of them together: each store and the dead letters are scanned once per pass, not once per
 * erasure. Marked done after the deletes, and only when every scan proved it reached its end: a crash or a scan cut
 * short leaves them for the next pass, which finds what is left. Counts the erasures done.
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
  if (!pending.length) return { acted: 0, outbox: [] };
  const customerIds = new Set<string>();
  for (const request of pending)
    for (const id of await personIds(ctx.db, ctx.tenantId, request.customer_id)) customerIds.add(id);
  if (!(await eraseTheirMessages(bus, ctx.db, ctx.tenantId, [...customerIds]))) return { acted: 0, outbox: [] };
  await ctx.db.$executeRaw`
    UPDATE erasure_requests SET streams_done_at = ${ctx.now}
    WHERE id = ANY(${sqlArray(pending.map((r) => r.id))}::text[])`;
  return { acted: pending.length, outbox: [] };
}
