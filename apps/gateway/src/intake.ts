import { type Bus, type CoalescingPublisher, type Published, transactionSubject } from "@regulars/bus";
import { type CodeTrier, type PostedCodes, type PostedSale, UnknownCodesThrottled } from "@regulars/checkout-store";
import { type TransactionInput, TransactionMessage, transactionFingerprint } from "@regulars/contracts";
import { DomainError, type ErrorCode } from "@regulars/errors";
import type { HoldClaim, SaleHoldRefusal, UnclaimedHold } from "@regulars/ledger-store";
import type { Credential } from "@regulars/tenancy";
import { claimAdmittedHolds } from "./hold-claims.ts";
import type { ReceiptLog } from "./receipts.ts";
import type { Recorded } from "./recorded-before.ts";
import type { Acceptance } from "./routes/acceptance.ts";

/** What the transaction routes share: where they store, what they check against, where receipts go. */
export interface TransactionIntake {
  bus: Bus;
  publisher: CoalescingPublisher;
  acceptance: Acceptance;
  receipts: ReceiptLog | null;
  onPublished: (duplicate: boolean) => void;
  /** Told of each transaction refused (its error code: a fixed list, so the counter's labels stay few). */
  onRefused: (code: ErrorCode) => void;
  /**
   * The most bytes one transaction may carry as JSON: the body limit of `POST /v1/transactions`, which a batch's
   * transactions are held to one by one (what is stored for one, and every event and dead letter made of it,
   * must fit under NATS' max_payload).
   */
  maxTransactionBytes: number;
  /**
   * Reads a request's posted coupon codes (which are unknown, which the sale's hold covers) and reserves the unknown
   * ones against the key before the sales are stored (`@regulars/checkout-store`, `reservePostedCodes`); absent
   * without a database, and then nothing is refused or counted here.
   */
  postedCodes?: {
    read: (who: CodeTrier, sales: readonly PostedSale[]) => Promise<PostedCodes>;
    reserve: (who: CodeTrier, posted: PostedCodes, now: Date) => Promise<(UnknownCodesThrottled | null)[]>;
  };
  /**
   * For each transaction, why the ledger would not commit the checkout hold it names: another sale's, ended or
   * unknown, or held for another basket, customer or a code (`@regulars/ledger-store`, `saleHoldRefusals`); absent
   * without a database.
   */
  saleHolds?: (tenantId: string, transactions: TransactionInput[], at: Date) => Promise<(SaleHoldRefusal | null)[]>;
  /**
   * Claims the holds of sales about to be stored, each for the sale naming it, and returns those another sale took
   * or that ended meanwhile (`@regulars/ledger-store`, `claimHeldHolds`); with `saleHolds`.
   */
  claimSaleHolds?: (tenantId: string, claims: HoldClaim[], at: Date) => Promise<UnclaimedHold[]>;
  /**
   * What Postgres recorded of a request's transactions, asked for every one before it is stored (`RecordedLookups`
   * over `recordedAll`); with `db`.
   */
  recordedBefore?: (tenantId: string, transactions: TransactionInput[]) => Promise<(Recorded | undefined)[]>;
}

/** A transaction that passed the gateway's own checks and is ready to be stored. */
export interface Admitted {
  transaction: TransactionInput;
  transactionId: string;
  message: TransactionMessage;
  receivedAt: Date;
}

/**
 * For each transaction, what it is answered before being stored: null to store it (no codes, or its unknown codes
 * reserved against its key), a refusal because its key was told too often that coupon codes do not exist, or, for
 * a retry of a sale stored before, the repeat it is (`storedBefore`). A sale with unknown codes is asked for as a
 * repeat BEFORE reserving: a till retrying a batch whose answer it lost does not count its typos twice. Only such
 * sales and refused ones cost that round trip; a repeat that races its original (both unstored when asked) counts
 * its unknown codes twice, a small over-count on the safe side. Nothing is read for a request without codes.
 */
export async function throttledCodes(
  intake: TransactionIntake,
  credential: Pick<Credential, "tenantId" | "keyId">,
  admitted: Admitted[],
  now: Date,
): Promise<(UnknownCodesThrottled | Stored | null)[]> {
  const answers: (UnknownCodesThrottled | Stored | null)[] = admitted.map(() => null);
  const { postedCodes } = intake;
  if (!postedCodes || !admitted.some((a) => a.transaction.couponCodes.length)) return answers;
  const who = { tenantId: credential.tenantId, credentialId: credential.keyId };
  const posted = await postedCodes.read(
    who,
    admitted.map((a) => ({ ...a.transaction, transactionId: a.transactionId })),
  );
  const asked = new Set(posted.sales.flatMap((s, i) => (s.unknown ? [i] : [])));
  await answerRepeats(intake, credential.tenantId, admitted, [...asked], answers);
  for (const i of asked) if (answers[i]) posted.sales[i] = { uncovered: 0, unknown: 0 };
  const refusals = await postedCodes.reserve(who, posted, now);
  // A refused sale not asked yet (known codes, its key over the limit) may be a retry too.
  const refused = refusals.flatMap((r, i) => (r && !asked.has(i) ? [i] : []));
  refusals.forEach((r, i) => {
    if (r && !answers[i]) answers[i] = r;
  });
  await answerRepeats(intake, credential.tenantId, admitted, refused, answers);
  return answers;
}

/** Puts in `answers` the repeat each of `indexes` is, when it was stored before. */
async function answerRepeats(
  intake: TransactionIntake,
  tenantId: string,
  admitted: Admitted[],
  indexes: number[],
  answers: (UnknownCodesThrottled | Stored | null)[],
): Promise<void> {
  if (!indexes.length) return;
  const repeats = await storedBefore(
    intake,
    tenantId,
    indexes.map((i) => admitted[i]!),
  );
  indexes.forEach((i, k) => {
    if (repeats[k]) answers[i] = repeats[k];
  });
}

/** A refusal to answer for the throttle, as opposed to a repeat to answer as stored. */
export const isThrottled = (answer: UnknownCodesThrottled | Stored | null): answer is UnknownCodesThrottled =>
  answer instanceof UnknownCodesThrottled;

/**
 * Stored now, stored before with the same body, or refused for what another sale did: stored before with another
 * body under its `externalId` (`idempotency_conflict`), or took its hold meanwhile (`hold_used`), or because its hold
 * ended meanwhile (`hold_ended`).
 */
export type Stored =
  | { outcome: "accepted" | "duplicate"; transactionId: string; externalId: string }
  | { outcome: "conflict"; externalId: string; error: DomainError };

/**
 * Stores the admitted transactions on JetStream (their publishes go out together with those of every
 * other request of this event-loop turn) and resolves once every one is acknowledged. The tenant's
 * `externalId` is the message id: JetStream drops a repeat and names the message it kept, whose body
 * tells a retry (duplicate) from a changed transaction under a used id (conflict). The checkout holds of the sales
 * are claimed first (`claimAdmittedHolds`): a sale is published only with its hold claimed, one whose hold another
 * sale took is answered `hold_used` alone. Receipts are noted for everything stored. When any publish fails, the whole
 * call is `unavailable`: the caller retries all of it, and what was stored meanwhile then reads as duplicate.
 */
export async function storeTransactions(
  intake: TransactionIntake,
  tenantId: string,
  admitted: Admitted[],
): Promise<Stored[]> {
  refuseWhileDisconnected(intake.bus);
  const refused = await claimAdmittedHolds(intake, tenantId, admitted);
  const stored = await publishTransactions(
    intake,
    tenantId,
    admitted.filter((_, i) => !refused[i]),
  );
  return refused.map((r) => r ?? stored.shift()!);
}

async function publishTransactions(intake: TransactionIntake, tenantId: string, admitted: Admitted[]) {
  const settled = await Promise.allSettled(
    admitted.map((a) =>
      intake.publisher.publishJson(
        transactionSubject(intake.bus.topology, tenantId, a.transaction),
        a.message,
        `${tenantId}:${a.transaction.externalId}`,
      ),
    ),
  );
  const results = await Promise.all(
    admitted.map(async (a, i): Promise<Stored | null> => {
      const published = settled[i]!;
      if (published.status === "rejected") return null;
      return settle(intake, tenantId, a, published.value);
    }),
  );
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === "rejected");
  if (failed) {
    const count = settled.filter((s) => s.status === "rejected").length;
    const of = admitted.length > 1 ? ` (${count} of ${admitted.length} transactions)` : "";
    throw unavailable(`${(failed.reason as Error).message}${of}`);
  }
  return results as Stored[];
}

async function settle(intake: TransactionIntake, tenantId: string, a: Admitted, published: Published): Promise<Stored> {
  const { externalId } = a.transaction;
  // JetStream dropped the repeat and named the message it kept: the same body is a retry, another is a conflict.
  // Only repeats are fingerprinted: a transaction stored now has nothing to be compared with.
  const original = published.duplicate ? await fingerprintAt(intake.bus, published.seq) : null;
  if (original && original.fingerprint !== transactionFingerprint(a.transaction)) {
    return {
      outcome: "conflict",
      externalId,
      error: new DomainError(
        "idempotency_conflict",
        "unreadable" in original
          ? `externalId ${externalId} was accepted before, and what is stored under it is not a transaction this gateway can read (${original.unreadable}), so this one cannot be its retry; post the transaction under a new externalId`
          : `externalId ${externalId} was accepted before with a different body; post a changed transaction under a new externalId`,
      ),
    };
  }
  intake.receipts?.add({ tenantId, externalId, transactionId: a.transactionId, receivedAt: a.receivedAt });
  intake.onPublished(published.duplicate);
  return { outcome: published.duplicate ? "duplicate" : "accepted", transactionId: a.transactionId, externalId };
}

/** Higher than any stream's last sequence: a publish expecting it is never stored. */
const neverLastSequence = Number.MAX_SAFE_INTEGER;
/** JetStream's answer to a publish whose expected last sequence is not the stream's (`StreamWrongLastSequence`). */
const wrongLastSequence = 10071;

/**
 * For transactions refused before being stored (a throttled key, an `occurredAt` the window has moved past), or whose
 * receipt Postgres holds while the ledger has not read them (`admitTransactions`), whether
 * each was stored before under its `externalId`, answered as `storeTransactions` answers a repeat: `duplicate` (same body) or `conflict`; null when
 * it was not, and then nothing is stored now either. JetStream's own dedupe says so, as for a publish: each is
 * published with its message id and an expected last sequence no stream has, which JetStream checks after the
 * message id, so a known id is acknowledged as a duplicate with its sequence and an unknown one is refused unstored.
 */
export async function storedBefore(
  intake: TransactionIntake,
  tenantId: string,
  admitted: Admitted[],
): Promise<(Stored | null)[]> {
  refuseWhileDisconnected(intake.bus);
  return Promise.all(
    admitted.map(async (a) => {
      const subject = transactionSubject(intake.bus.topology, tenantId, a.transaction);
      const seq = await storedSequence(intake.bus, subject, `${tenantId}:${a.transaction.externalId}`);
      return seq === null ? null : settle(intake, tenantId, a, { seq, duplicate: true });
    }),
  );
}

/**
 * The stream sequence of the message stored under `msgID` within the duplicate window, or null when there is none
 * (and nothing is stored now): the probe `storedBefore` describes, on any subject of the stream.
 */
export async function storedSequence(bus: Bus, subject: string, msgID: string): Promise<number | null> {
  refuseWhileDisconnected(bus);
  const ack = await bus.js
    .publish(subject, "", { msgID, expect: { lastSequence: neverLastSequence } })
    .catch((e: unknown) => {
      if ((e as { code?: unknown }).code === wrongLastSequence) return null;
      throw unavailable((e as Error).message);
    });
  if (!ack) return null;
  // Sequence 0: a cluster leader noted the id of a publish it has not stored yet (see `publishJson`).
  if (!ack.duplicate || ack.seq === 0) throw unavailable(`message id ${msgID} is seen but not stored yet`);
  return ack.seq;
}

/**
 * The fingerprint of the transaction stored at `seq`. When it cannot be read (a timeout, or gone from the stream while
 * JetStream still remembers its id) the repeat can be told neither from a retry nor from a conflict: `unavailable`, so
 * the till keeps it and retries, and never a 202 that would let a changed transaction pass as a duplicate. When what
 * is stored there is read but is no transaction message (stored by a release whose contract differed, or not by the
 * gateway), no body can match it, now or later: `unreadable` says why, and the repeat is a conflict.
 */
async function fingerprintAt(
  bus: Bus,
  seq: number,
): Promise<{ fingerprint: string } | { fingerprint: null; unreadable: string }> {
  const { transactions } = bus.topology.streams;
  const cannotCompare = (why: string) =>
    new DomainError(
      "unavailable",
      `this externalId was accepted before, and that transaction could not be read to compare it with this one; retry later (${why})`,
    );
  const stored = await bus.jsm.streams.getMessage(transactions, { seq }).catch((e: Error) => {
    throw cannotCompare(e.message);
  });
  if (!stored) throw cannotCompare(`message ${seq} is no longer on ${transactions}`);
  const parsed = TransactionMessage.safeParse(jsonOrUndefined(stored.string()));
  if (parsed.success) return { fingerprint: transactionFingerprint(parsed.data.transaction) };
  return { fingerprint: null, unreadable: firstIssue(parsed.error.issues) };
}

/** A stored body as JSON, or undefined (which no schema accepts) when it is not JSON. */
export function jsonOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The first of a stored message's schema issues, as a person reads it: where, and what is wrong. */
export function firstIssue(issues: readonly { path: PropertyKey[]; message: string }[]): string {
  const issue = issues[0];
  if (!issue) return "not a message";
  return issue.path.length ? `${issue.path.map(String).join(".")}: ${issue.message}` : issue.message;
}

const unavailable = (why: string) =>
  new DomainError("unavailable", `the message could not be stored, retry later (${why})`);

/**
 * A message that is not stored must not be answered 202: the terminal keeps it and retries. While the
 * connection to NATS is known to be lost the answer is immediate, instead of after the publish timeout.
 */
export function refuseWhileDisconnected(bus: Bus): void {
  if (!bus.isConnected()) throw unavailable("the message bus is unreachable");
}

/** One publish, answered `unavailable` when it cannot be stored. */
export async function publishOrUnavailable<T>(bus: Bus, publish: () => Promise<T>): Promise<T> {
  refuseWhileDisconnected(bus);
  try {
    return await publish();
  } catch (e) {
    throw unavailable((e as Error).message);
  }
}
