import { type RejectionCode, TransactionMessage, transactionFingerprint, unstorableText } from "@regulars/contracts";
import { type Db, type DbTx, withTransaction } from "@regulars/db";
import { saleClaimOf } from "../holds/release.ts";
import { advancePositions, lockPositions, type PartitionGuard } from "./partitions.ts";
import { recordRejections } from "./status.ts";

/** What the stream consumer says about a message it dead-letters. */
export interface DeadLetteredMessage {
  payload: string;
  reason: string;
  category: "invalid_payload" | "rejected" | "retries_exhausted";
}

const knownCodes = new Set<RejectionCode>([
  "unknown_customer",
  "refund_of_refund",
  "refunded_sale_not_found",
  "refund_exceeds_sale",
  "refund_line_not_in_sale",
  "hold_used",
  "hold_ended",
  "idempotency_conflict",
]);

/**
 * A transaction the gateway accepted and the ledger gave up on is recorded as rejected, with the reason,
 * so its status tells the integrator what happened instead of it vanishing into the dead-letter stream.
 * (Rejections the ledger decided itself were recorded with its commit already; this is a no-op for them.)
 */
export async function recordDeadLetteredTransaction(db: Db | DbTx, info: DeadLetteredMessage): Promise<void> {
  let json: unknown;
  try {
    json = JSON.parse(info.payload);
  } catch {
    return; // nothing to attribute it to
  }
  const parsed = TransactionMessage.safeParse(json);
  const raw = json as { tenantId?: unknown; transaction?: { externalId?: unknown } };
  // A message from an older, looser release may carry a tenantId or externalId Postgres cannot store (a NUL): the
  // dead letter still tells why, but a rejection row under such a key can never be written, nor read back.
  const tenantId = parsed.success ? parsed.data.tenantId : raw?.tenantId;
  const externalId = parsed.success ? parsed.data.transaction.externalId : raw?.transaction?.externalId;
  if (typeof tenantId !== "string" || !tenantId || unstorableText(tenantId)) return;
  // At most the 128 characters `StoredExternalId` allows: a key past Postgres's index limit cannot be written either.
  if (typeof externalId !== "string" || !externalId || externalId.length > 128 || unstorableText(externalId)) return;
  const { code, message } = rejectionOf(info.reason, knownCodes, info.category);
  await recordRejections(db, [
    {
      tenantId,
      externalId,
      code,
      bodyHash: parsed.success ? transactionFingerprint(parsed.data.transaction) : "unparseable",
      message,
      claim: parsed.success ? saleClaimOf(parsed.data) : undefined,
    },
  ]);
}

/**
 * A worker's reason (`code: message`) as a code and a message: the code when it is one of `known`, else what the
 * dead letter's category says (an unreadable payload breaks the contract; anything else failed in processing).
 */
export function rejectionOf<C extends string>(
  reason: string,
  known: ReadonlySet<C>,
  category?: DeadLetteredMessage["category"],
): { code: C | "contract_violation" | "processing_failed"; message: string } {
  const prefix = /^([a-z_]+): /.exec(reason)?.[1] as C | undefined;
  if (prefix && known.has(prefix)) return { code: prefix, message: reason.slice(prefix.length + 2) };
  return { code: category === "invalid_payload" ? "contract_violation" : "processing_failed", message: reason };
}

/**
 * A ledger partition's message that can never be applied (unreadable, or failing on its own): its
 * rejection is recorded and the partition moves past it, in one transaction under the partition's lease,
 * so the partition goes on and a restart does not meet the message again. The caller dead-letters it first.
 *
 * A rejection Postgres refuses as data (`refusedAsData`: text it cannot store, a key past the index's limit) is
 * given up, not the partition: thrown on, it would stop the partition at this message for good. Returns that
 * refusal, if any, for the caller to log; the dead letter still tells why the message was skipped.
 */
export async function skipDeadLettered(
  db: Db,
  guard: PartitionGuard,
  source: { partition: number; seq: number },
  info: DeadLetteredMessage,
): Promise<{ rejectionRefused?: unknown }> {
  return withTransaction(db, async (tx) => {
    const positions = await lockPositions(tx, guard, [source.partition]);
    if (source.seq <= (positions.get(source.partition) ?? 0)) return {};
    let rejectionRefused: unknown;
    await tx.$executeRaw`SAVEPOINT dead_letter_rejection`;
    try {
      await recordDeadLetteredTransaction(tx, info);
    } catch (e) {
      if (!refusedAsData(e)) throw e;
      await tx.$executeRaw`ROLLBACK TO SAVEPOINT dead_letter_rejection`;
      rejectionRefused = e;
    }
    await tx.$executeRaw`RELEASE SAVEPOINT dead_letter_rejection`;
    await advancePositions(tx, guard, new Map([[source.partition, source.seq]]));
    return rejectionRefused === undefined ? {} : { rejectionRefused };
  });
}

const dataRefusals = new Set(["22P05", "22021", "54000"]);
/**
 * Postgres refused the message's own text: untranslatable (22P05) or invalid (22021, a NUL) characters, or a key past
 * the index's limit (54000). Any other error, class 22 included, is a bug of ours and fails the batch loudly.
 */
export const refusedAsData = (e: unknown): boolean => dataRefusals.has(sqlStateOf(e) ?? "");

/** The SQLSTATE Postgres refused a statement with, as Prisma's driver adapter passes it on (or pg itself). */
function sqlStateOf(e: unknown): string | undefined {
  const err = e as { meta?: { driverAdapterError?: { cause?: { originalCode?: unknown } } }; code?: unknown };
  const code = err?.meta?.driverAdapterError?.cause?.originalCode ?? err?.code;
  return typeof code === "string" ? code : undefined;
}
