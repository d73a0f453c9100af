import { type Bus, type DeadLetterInfo, deadLetter, summarize } from "@regulars/bus";
import type { Db } from "@regulars/db";
import { type ExpiredRefund, expireParkedRefunds, type LedgerDeps, ledgerDefaults } from "@regulars/ledger-store";
import type { Logger } from "@regulars/logger";

export interface ParkedRefundsSweepOptions {
  db: Db;
  bus: Bus;
  log: Logger;
  ledger: LedgerDeps;
  /** How often; by default a quarter of the refund's wait, between 1 and 30 s. */
  intervalMs?: number;
  onDeadLetter?: (info: DeadLetterInfo) => void;
}

/** Letters published at once: the swept rows stay locked (a sale arriving for one waits) until all are out. */
const lettersInFlight = 100;

/**
 * Refunds parked past their deadline (their sale never arrived): rejected in Postgres, where the integrator reads
 * why in the status, and dead-lettered from the subject they were accepted on, for an operator to replay.
 * Returns the stop function.
 */
export function sweepParkedRefunds(opts: ParkedRefundsSweepOptions): () => void {
  const waitMs = opts.ledger.refundWaitMs ?? ledgerDefaults.refundWaitMs;
  const timer = setInterval(
    () =>
      void sweepParkedRefundsOnce(opts).catch((e) => opts.log.warn({ err: summarize(e) }, "parked refunds not swept")),
    opts.intervalMs ?? Math.min(30_000, Math.max(1_000, waitMs / 4)),
  );
  return () => clearInterval(timer);
}

/**
 * A parked refund's dead letter, from the subject it was accepted on, whether the sweep or its sale's batch
 * refused it. Its id is the refund's: a letter sent again (a retried pass or batch) is not stored twice.
 */
export function parkedRefundLetter(parked: ExpiredRefund) {
  // One whose stored message no longer reads goes out as it was stored, for an operator to see what was posted.
  const reason = `${parked.message ? "refunded_sale_not_found" : "contract_violation"}: ${parked.reason}`;
  const payload = JSON.stringify(parked.message ?? parked.raw);
  const letterId = `parked:${parked.message ? parked.message.transactionId : parked.transactionId}`;
  const category = parked.message ? ("rejected" as const) : ("invalid_payload" as const);
  return {
    letter: { subject: parked.subject, streamSequence: 0, deliveries: 1, payload, letterId },
    reason,
    category,
  };
}

/**
 * One pass: the refunds past their deadline are dead-lettered before their rejection commits, so a letter that
 * fails (NATS down, a timeout) leaves them all parked for the next pass; the letters that did go out are not
 * stored twice then, their id being the refund's. Returns how many were swept.
 */
export async function sweepParkedRefundsOnce(opts: ParkedRefundsSweepOptions): Promise<number> {
  const { db, bus, ledger } = opts;
  const consumer = bus.topology.consumers.ledger;
  const waitMs = ledger.refundWaitMs ?? ledgerDefaults.refundWaitMs;
  // Without an injected clock, the database's: it set the deadlines, and this worker's clock may differ from it.
  const expired = await expireParkedRefunds(db, ledger.now?.(), waitMs, async (taken) => {
    for (let i = 0; i < taken.length; i += lettersInFlight) {
      await Promise.all(
        taken.slice(i, i + lettersInFlight).map((parked) => {
          const { letter, reason } = parkedRefundLetter(parked);
          return deadLetter(bus, consumer, bus.topology.streams.transactions, letter, reason);
        }),
      );
    }
  });
  for (const parked of expired) {
    const { letter, reason, category } = parkedRefundLetter(parked);
    opts.onDeadLetter?.({ consumer, subject: letter.subject, payload: letter.payload, reason, category });
  }
  return expired.length;
}
