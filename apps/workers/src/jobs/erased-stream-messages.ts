import { type Bus, eraseMessages, type ScannedMessage } from "@regulars/bus";
import { type Db, sqlArray } from "@regulars/db";
import type { JobResult } from "@regulars/ledger-store";
import { markStreamsErased, pendingStreamErasures } from "@regulars/privacy";
import { positionsNow } from "../ledger/backlog.ts";

/** Erasures one pass takes on: their stores are scanned once for all of them, so this bounds memory, not scans. */
const ERASURES_PER_PASS = 100;

/**
 * How far before a transaction's `received_at` (the gateway's clock) its message may be stored (the NATS server's
 * clock): the scans start this much earlier than the earliest, so a skewed clock does not hide a message.
 */
const CLOCK_SKEW_MS = 5 * 60_000;

interface StoredTransaction {
  tenantId?: string;
  externalId?: string;
  refundOf?: string;
  locationId?: string;
  receivedAt?: Date;
}

/** The tenant, transaction and store a stored transaction (or a dead letter's copy of one) is about, if it reads as one. */
function transactionOf(text: string): StoredTransaction {
  try {
    const body = JSON.parse(text) as {
      tenantId?: string;
      receivedAt?: string;
      transaction?: { externalId?: string; refundOf?: string | null; locationId?: string };
    };
    const refundOf = body.transaction?.refundOf ?? undefined;
    const locationId = body.transaction?.locationId;
    const receivedAt = body.receivedAt ? new Date(body.receivedAt) : undefined;
    return {
      tenantId: body.tenantId,
      externalId: body.transaction?.externalId,
      ...(refundOf ? { refundOf } : {}),
      ...(locationId ? { locationId } : {}),
      ...(receivedAt && !Number.isNaN(receivedAt.getTime()) ? { receivedAt } : {}),
    };
  } catch {
    return {};
  }
}

const skewedBack = (at: Date) => new Date(at.getTime() - CLOCK_SKEW_MS);

/** Keeps, per store, the earliest instant a scan there must start from. */
function startEarlier(starts: Map<string, Date>, location: string, since: Date) {
  const known = starts.get(location);
  if (!known || since < known) starts.set(location, since);
}

/**
 * Each store whose transactions the scans must read, from the earliest of the people's sales there that the stream
 * can still hold: the stream has no age limit but the trim removes what every reader is done with, so its first
 * message bounds what is left. Grouped in Postgres, as a person may have years of sales.
 */
async function storesToScan(bus: Bus, db: Db, tenantId: string, customerIds: string[]): Promise<Map<string, Date>> {
  const starts = new Map<string, Date>();
  const { state } = await bus.jsm.streams.info(bus.topology.streams.transactions);
  if (!state.messages) return starts;
  const stillStored = skewedBack(new Date(state.first_ts));
  const stores = await db.$queryRaw<{ location_id: string; earliest: Date }[]>`
    SELECT location_id, min(received_at) AS earliest FROM transactions
    WHERE tenant_id = ${tenantId} AND customer_id = ANY(${sqlArray(customerIds)}::text[])
      AND received_at >= ${stillStored}
    GROUP BY location_id`;
  for (const store of stores) starts.set(store.location_id, skewedBack(store.earliest));
  return starts;
}

/**
 * Deletes from the transactions and dead-letter streams the erased people's messages that the ledger's rows still
 * tie to them: Postgres records no message's sequence and erasure has deleted the identities the partition was
 * computed from, so what is found is what the ledger kept under the erased ids (`theirs`).
 * - Ledger dead letters, scanned first, once, from the earliest of their sales: a letter of a transaction the ledger
 *   stored under them, or of a refund of one of their sales (the ledger rejects a refund its sale's lines do not
 *   cover). Not found, so kept for the stream's 30 days: letters of their sales the ledger rejected (no row under
 *   their ids names them) and letters that kept only the beginning of their payload (they do not parse).
 * - Transactions: each store the people bought in is scanned once (`<ns>.tx.*.<tenant>.<location>`), from the
 *   earliest of their sales there, and so is each store a letter found names: a refund rejected at a store where
 *   they had no sale the ledger kept is on the stream there. Only messages the ledger has applied go, an unapplied
 *   one stays for the ledger.
 * Returns false when the transactions could not be judged (positions not yet counted in a stream made anew): the
 * erasures stay pending. Deleting what is already gone is a no-op, so a pass cut short is simply run again.
 */
async function eraseTheirMessages(bus: Bus, db: Db, tenantId: string, customerIds: string[]): Promise<boolean> {
  const [first] = await db.$queryRaw<{ earliest: Date | null }[]>`
    SELECT min(received_at) AS earliest FROM transactions
    WHERE tenant_id = ${tenantId} AND customer_id = ANY(${sqlArray(customerIds)}::text[])`;
  if (!first?.earliest) return true;
  // Every id, however old: a refund on the stream now may be of a sale from years ago.
  const theirs = new Set<string>();
  for (const row of await db.$queryRaw<{ external_id: string }[]>`
    SELECT external_id FROM transactions
    WHERE tenant_id = ${tenantId} AND customer_id = ANY(${sqlArray(customerIds)}::text[])`)
    theirs.add(row.external_id);
  const isTheirs = ({ tenantId: tenant, externalId, refundOf }: StoredTransaction) =>
    tenant === tenantId && [externalId, refundOf].some((id) => id !== undefined && theirs.has(id));
  const { namespace, streams, subjects, consumers } = bus.topology;

  const since = skewedBack(first.earliest);
  const lettersStores = new Map<string, Date>();
  const ledgerLetter = (m: ScannedMessage) => {
    let body: { stream?: string; payload?: string };
    try {
      body = JSON.parse(m.text) as typeof body;
    } catch {
      return false;
    }
    if (body.stream !== streams.transactions) return false;
    const transaction = transactionOf(body.payload ?? "");
    if (!isTheirs(transaction)) return false;
    if (transaction.locationId)
      startEarlier(
        lettersStores,
        transaction.locationId,
        transaction.receivedAt ? skewedBack(transaction.receivedAt) : since,
      );
    return true;
  };
  await eraseMessages(bus, streams.deadLetter, { filter: subjects.deadLetter(consumers.ledger), since }, ledgerLetter);

  const positions = await positionsNow(bus, db);
  if (!positions) return false;
  const applied = (m: ScannedMessage) => {
    const partition = Number(m.subject.split(".")[2]?.slice(1));
    return m.seq <= (positions.get(partition) ?? 0);
  };
  let throughSeq = 0;
  for (const position of positions.values()) throughSeq = Math.max(throughSeq, position);
  const stores = await storesToScan(bus, db, tenantId, customerIds);
  for (const [location, letterSince] of lettersStores) startEarlier(stores, location, letterSince);
  for (const [location, storeSince] of stores) {
    const range = { filter: `${namespace}.tx.*.${tenantId}.${location}`, since: storeSince, throughSeq };
    await eraseMessages(bus, streams.transactions, range, (m) => applied(m) && isTheirs(transactionOf(m.text)));
  }
  return true;
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
  const pending = await pendingStreamErasures(ctx.db, ctx.tenantId, ERASURES_PER_PASS);
  if (!pending.length) return { acted: 0, outbox: [] };
  const customerIds = new Set(pending.flatMap((erasure) => erasure.customerIds));
  if (!(await eraseTheirMessages(bus, ctx.db, ctx.tenantId, [...customerIds]))) return { acted: 0, outbox: [] };
  await markStreamsErased(
    ctx.db,
    pending.map((erasure) => erasure.id),
    ctx.now,
  );
  return { acted: pending.length, outbox: [] };
}
