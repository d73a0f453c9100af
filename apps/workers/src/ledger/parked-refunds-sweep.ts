import { type Bus, type DeadLetterInfo, deadLetter, summarize } from "@regulars/bus";
import type { Db } from "@regulars/db";
import { expireParkedRefunds, type LedgerDeps, ledgerDefaults } from "@regulars/ledger-store";
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

/**
 * Refunds parked past their deadline (their sale never arrived): rejected in Postgres, where the integrator reads
 * why in the status, and dead-lettered from the subject they were accepted on, for an operator to replay.
 * Returns the stop function.
 */
export function sweepParkedRefunds(opts: ParkedRefundsSweepOptions): () => void {
  const { db, bus, log, ledger } = opts;
  const consumer = bus.topology.consumers.ledger;
  const waitMs = ledger.refundWaitMs ?? ledgerDefaults.refundWaitMs;
  const sweep = async () => {
    const expired = await expireParkedRefunds(db, ledger.now?.() ?? new Date(), waitMs);
    for (const parked of expired) {
      const reason = `refunded_sale_not_found: ${parked.reason}`;
      const payload = JSON.stringify(parked.message);
      const letterId = `parked:${parked.message.transactionId}`;
      const letter = { subject: parked.subject, streamSequence: 0, deliveries: 1, payload, letterId };
      await deadLetter(bus, consumer, bus.topology.streams.transactions, letter, reason);
      opts.onDeadLetter?.({ consumer, subject: parked.subject, payload, reason, category: "rejected" });
    }
  };
  const timer = setInterval(
    () => void sweep().catch((e) => log.warn({ err: summarize(e) }, "parked refunds not swept")),
    opts.intervalMs ?? Math.min(30_000, Math.max(1_000, waitMs / 4)),
  );
  return () => clearInterval(timer);
}
