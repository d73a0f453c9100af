import { TransactionMessage, transactionFingerprint } from "@regulars/contracts";
import { type Db, type RawTx, sqlArray, withTransaction } from "@regulars/db";
import { stableId } from "@regulars/ids";
import { recordRejections } from "./status.ts";

export interface ParkedRefund {
  message: TransactionMessage;
  /** The subject it was accepted on, to dead-letter (and replay) it from the right place. */
  subject: string;
  /**
   * Its body's fingerprint as posted, once parked: erasure may have redacted the stored message's customer since, and
   * a retry of the body as posted must still read as one, not as a conflict dead-lettered with the erased phone.
   */
  bodyHash?: string;
}

/**
 * A parked row whose stored message no longer reads as the contract (it was parked by a release whose schema
 * was looser): what the row itself and the raw JSON still tell, and the message as stored, to letter it raw.
 */
export interface UnreadableRefund {
  message: null;
  raw: unknown;
  subject: string;
  tenantId: string;
  transactionId: string;
  /** Null when even the raw JSON does not name it: no status can be recorded then. */
  externalId: string | null;
  refundOf: string | null;
  /** Which fields failed, in words. */
  issues: string;
}

interface ParkedRow {
  message: unknown;
  subject: string;
  tenant_id: string;
  transaction_id: string;
  body_hash: string | null;
}

/** The parked message as the contract, or what of it can be told without the contract. */
function readParked(row: ParkedRow): ParkedRefund | UnreadableRefund {
  const parsed = TransactionMessage.safeParse(row.message);
  if (parsed.success) {
    // None kept: parked before migration 0064 and not redacted since (the redaction fills it first), so as posted.
    const bodyHash = row.body_hash ?? transactionFingerprint(parsed.data.transaction);
    return { message: parsed.data, subject: row.subject, bodyHash };
  }
  const raw = row.message as { transaction?: { externalId?: unknown; refundOf?: unknown } } | null;
  const text = (v: unknown) => (typeof v === "string" && v ? v : null);
  return {
    message: null,
    raw: row.message,
    subject: row.subject,
    tenantId: row.tenant_id,
    transactionId: row.transaction_id,
    externalId: text(raw?.transaction?.externalId),
    refundOf: text(raw?.transaction?.refundOf),
    issues: parsed.error.issues.map((i) => `${i.path.join(".") || "(message)"}: ${i.message}`).join("; "),
  };
}

/** Why a parked refund that no longer reads was refused, in words the integrator can act on. */
export function parkedUnreadable(refund: UnreadableRefund): string {
  return `the refund waited for its sale ${refund.refundOf ?? "(unknown)"} but its stored message no longer matches the contract (${refund.issues}); it was not applied: post it again, corrected, under a new externalId`;
}

/**
 * Unreadable parked refunds are rejected as contract violations. Their body's fingerprint cannot be taken, so
 * they are recorded under the same placeholder as other unreadable messages.
 */
async function rejectUnreadable(tx: RawTx, refunds: UnreadableRefund[]): Promise<void> {
  await recordRejections(
    tx,
    refunds.flatMap((r) =>
      r.externalId
        ? [
            {
              tenantId: r.tenantId,
              externalId: r.externalId,
              bodyHash: "unparseable",
              code: "contract_violation" as const,
              message: parkedUnreadable(r),
            },
          ]
        : [],
    ),
  );
}

/** Why a refund was refused after waiting `waitMs` for its sale, in words. */
export function saleDidNotArrive(refundOf: string | null | undefined, waitMs: number): string {
  const s = Math.round(waitMs / 1000);
  const wait =
    s < 120 ? `${s} seconds` : s < 7_200 ? `${Math.round(s / 60)} minutes` : `${Math.round(s / 3_600)} hours`;
  return `the refunded sale ${refundOf} did not arrive within ${wait}`;
}

/**
 * Refunds whose sale has not arrived yet wait here instead of holding up their partition. The wait is timed from
 * the parking, on the database's clock (or the ledger's injected one), never from the gateway's `receivedAt`: a
 * ledger that was stopped resumes where it stopped, and a refund it reads after a backlog longer than the wait
 * must still wait for the sale its partitions have not reached yet. A refund parked already keeps its first time.
 */
export async function parkRefunds(
  tx: RawTx,
  refunds: (ParkedRefund & { saleId: string })[],
  wait: { waitMs: number; at?: Date },
): Promise<void> {
  if (!refunds.length) return;
  await tx.$executeRaw`
    INSERT INTO parked_refunds (tenant_id, transaction_id, sale_id, message, subject, parked_at, deadline, body_hash)
    SELECT t, id, s, m::jsonb, sub, p.at, p.at + ${wait.waitMs}::float8 * interval '1 millisecond', h
    FROM unnest(
      ${sqlArray(refunds.map((r) => r.message.tenantId))}::text[], ${sqlArray(refunds.map((r) => r.message.transactionId))}::text[],
      ${sqlArray(refunds.map((r) => r.saleId))}::text[], ${sqlArray(refunds.map((r) => JSON.stringify(r.message)))}::text[],
      ${sqlArray(refunds.map((r) => r.subject))}::text[],
      ${sqlArray(refunds.map((r) => r.bodyHash ?? transactionFingerprint(r.message.transaction)))}::text[]
    ) AS x(t, id, s, m, sub, h)
    CROSS JOIN (SELECT COALESCE(${wait.at ?? null}::timestamptz, now()) AS at) p
    ON CONFLICT DO NOTHING`;
}

/** What a refund waiting under an id was posted with: its body's fingerprint and the sale it waits for. */
export interface WaitingBody {
  bodyHash: string;
  refundOf: string;
}

/**
 * The refunds waiting under these messages' ids, by id. A refund waits up to a day, far beyond the gateway's
 * duplicate window: a later post under its externalId is told apart from a retry here, not at the door.
 */
export async function waitingUnder(tx: RawTx, messages: TransactionMessage[]): Promise<Map<string, WaitingBody>> {
  if (!messages.length) return new Map();
  const rows = await tx.$queryRaw<ParkedRow[]>`
    SELECT message, subject, tenant_id, transaction_id, body_hash FROM parked_refunds WHERE (tenant_id, transaction_id) IN (
      SELECT * FROM unnest(${sqlArray(messages.map((m) => m.tenantId))}::text[], ${sqlArray(messages.map((m) => m.transactionId))}::text[]))`;
  return new Map(
    rows.map((r) => {
      const parked = readParked(r);
      // One that no longer reads still holds its id until the sweep or its sale takes it: no body matches it.
      if (!parked.message) return [parked.transactionId, { bodyHash: "unparseable", refundOf: parked.refundOf ?? "" }];
      const { transactionId, transaction } = parked.message;
      return [transactionId, { bodyHash: parked.bodyHash!, refundOf: transaction.refundOf ?? "" }];
    }),
  );
}

/** A refund waiting for its sale, as its status tells it. */
export interface WaitingRefund {
  transactionId: string;
  receivedAt: string;
  refundOf: string;
  until: Date;
}

/** The refund parked under this externalId, if one waits for its sale. */
export async function refundWaitingUnder(db: Db, tenantId: string, externalId: string): Promise<WaitingRefund | null> {
  const row = await db.parkedRefund.findUnique({
    where: { tenantId_transactionId: { tenantId, transactionId: stableId("transaction", tenantId, externalId) } },
    omit: { saleId: true },
  });
  if (!row) return null;
  const parked = readParked({
    ...row,
    tenant_id: row.tenantId,
    transaction_id: row.transactionId,
    body_hash: row.bodyHash,
  });
  if (!parked.message) {
    // Its status still tells it waits (the sweep or its sale rejects it); the parking's own time stands in.
    const raw = (row.message as { receivedAt?: unknown } | null)?.receivedAt;
    const receivedAt = typeof raw === "string" && !Number.isNaN(Date.parse(raw)) ? raw : row.parkedAt.toISOString();
    return { transactionId: row.transactionId, receivedAt, refundOf: parked.refundOf ?? "", until: row.deadline };
  }
  const { transactionId, receivedAt, transaction } = parked.message;
  return { transactionId, receivedAt, refundOf: transaction.refundOf ?? "", until: row.deadline };
}

/** A parked refund that no longer reads, with why it was refused: dead-lettered as it was stored. */
export type UnreadableTaken = UnreadableRefund & { reason: string };

/**
 * The refunds that were waiting for these sales, taken out of the parking (in the caller's transaction). One
 * whose stored message no longer reads is rejected here with the reason, never thrown on: that would fail its
 * sale's batch on every retry and hold up the partition.
 *
 * `deadLetter` hands such refunds on, raw, before the caller's commit removes their rows, as the sweep does
 * (`expireParkedRefunds`): a crash after it loses nothing. When it throws, their rows go back, due at once, and
 * are not rejected: the sweep letters them, and the sale's batch does not fail on a letter (retried alone, the
 * sale would be dead-lettered in the end, and its points lost).
 */
export async function takeParkedRefunds(
  tx: RawTx,
  tenantIds: string[],
  saleIds: string[],
  deadLetter?: (refunds: UnreadableTaken[]) => Promise<void>,
): Promise<ParkedRefund[]> {
  if (!saleIds.length) return [];
  // Every batch asks; almost always nothing waits. One probe of the primary key spares sending the
  // batch's sale ids and looking each one up.
  const [waiting] = await tx.$queryRaw<{ any: boolean }[]>`
    SELECT EXISTS (SELECT 1 FROM parked_refunds WHERE tenant_id = ANY(${sqlArray(tenantIds)}::text[])) AS any`;
  if (!waiting?.any) return [];
  const rows = await tx.$queryRaw<TakenRow[]>`
    DELETE FROM parked_refunds WHERE sale_id = ANY(${sqlArray(saleIds)}::text[])
    RETURNING message, subject, tenant_id, transaction_id, sale_id, parked_at, deadline, body_hash
    `;
  const taken = rows.map(readParked);
  const unreadable = taken
    .filter((r): r is UnreadableRefund => !r.message)
    .map((r) => ({ ...r, reason: parkedUnreadable(r) }));
  const lettered =
    !unreadable.length ||
    !deadLetter ||
    (await deadLetter(unreadable).then(
      () => true,
      () => false,
    ));
  if (lettered) await rejectUnreadable(tx, unreadable);
  else {
    const ids = new Set(unreadable.map((u) => `${u.tenantId}:${u.transactionId}`));
    await repark(
      tx,
      rows.filter((r) => ids.has(`${r.tenant_id}:${r.transaction_id}`)),
    );
  }
  return taken.filter((r): r is ParkedRefund => r.message !== null);
}

interface TakenRow extends ParkedRow {
  sale_id: string;
  parked_at: Date;
  deadline: Date;
}

/** Puts taken rows back as they were, but due at once: nothing is left to wait for. */
async function repark(tx: RawTx, rows: TakenRow[]): Promise<void> {
  await tx.$executeRaw`
    INSERT INTO parked_refunds (tenant_id, transaction_id, sale_id, message, subject, parked_at, deadline, body_hash)
    SELECT t, id, s, m::jsonb, sub, p, LEAST(d, now()), h FROM unnest(
      ${sqlArray(rows.map((r) => r.tenant_id))}::text[], ${sqlArray(rows.map((r) => r.transaction_id))}::text[],
      ${sqlArray(rows.map((r) => r.sale_id))}::text[], ${sqlArray(rows.map((r) => JSON.stringify(r.message)))}::text[],
      ${sqlArray(rows.map((r) => r.subject))}::text[], ${sqlArray(rows.map((r) => r.parked_at))}::timestamptz[],
      ${sqlArray(rows.map((r) => r.deadline))}::timestamptz[], ${sqlArray(rows.map((r) => r.body_hash))}::text[]
    ) AS x(t, id, s, m, sub, p, d, h)`;
}

/** A refund whose wait is over, or one that no longer reads (rejected as a contract violation), with why. */
export type ExpiredRefund = (ParkedRefund | UnreadableRefund) & { reason: string };

/**
 * Refunds whose sale did not arrive by their deadline are rejected (`refunded_sale_not_found`, readable in
 * their status) and returned, so the caller can dead-letter them for an operator to replay once the sale
 * turns up. Several workers may sweep at once: each parked refund is taken by one.
 *
 * `beforeCommit` (the dead-lettering) runs inside the transaction: taken out of the parking and committed
 * first, a refund whose letter then failed would be lost to the operator with no row left to sweep again.
 * When it throws, nothing is taken and the next sweep tries again; it must be safe to repeat (a letter id).
 *
 * A row whose stored message no longer reads is rejected (`contract_violation`) and returned raw with the
 * reason: thrown on, it would stop every sweep, the oldest rows coming first.
 *
 * Without an injected clock (`now`), on the database's, which set the deadlines (`parkRefunds`): on a worker's
 * clock running fast, refunds parked seconds ago would be refused.
 */
export async function expireParkedRefunds(
  db: Db,
  now: Date | undefined,
  waitMs: number,
  beforeCommit?: (expired: ExpiredRefund[]) => Promise<void>,
): Promise<ExpiredRefund[]> {
  return withTransaction(db, async (tx) => {
    const rows = await tx.$queryRaw<ParkedRow[]>`
      DELETE FROM parked_refunds WHERE (tenant_id, transaction_id) IN (
        SELECT tenant_id, transaction_id FROM parked_refunds WHERE deadline <= COALESCE(${now ?? null}::timestamptz, now())
        ORDER BY deadline LIMIT 1000 FOR UPDATE SKIP LOCKED)
      RETURNING message, subject, tenant_id, transaction_id, body_hash`;
    const expired: ExpiredRefund[] = rows.map((r) => {
      const refund = readParked(r);
      return refund.message
        ? { ...refund, reason: saleDidNotArrive(refund.message.transaction.refundOf, waitMs) }
        : { ...refund, reason: parkedUnreadable(refund) };
    });
    await recordRejections(
      tx,
      expired.flatMap((r) =>
        r.message
          ? [
              {
                tenantId: r.message.tenantId,
                externalId: r.message.transaction.externalId,
                bodyHash: r.bodyHash!,
                code: "refunded_sale_not_found" as const,
                message: r.reason,
              },
            ]
          : [],
      ),
    );
    await rejectUnreadable(
      tx,
      expired.filter((r): r is UnreadableRefund & { reason: string } => !r.message),
    );
    if (expired.length) await beforeCommit?.(expired);
    return expired;
  });
}
