import type { Logger } from "@regulars/logger";
import type { z } from "zod";
import type { Bus } from "./connection.ts";

/** What a handler says about each message of a batch, in order. */
export type Outcome =
  | { kind: "done" }
  /** The message itself failed (a referenced record is missing, ...): try again later, counted towards `maxDeliver`. */
  | { kind: "retry"; reason: string }
  /** Can never succeed: dead-letter now with the reason. */
  | { kind: "reject"; reason: string };

export const done: Outcome = { kind: "done" };

/**
 * The service a handler writes to. When the handler throws an error `isServerState` recognises, or one
 * `isTransient` recognises AND the probe confirms the service is down, the consumer pauses with the batch in hand instead of counting
 * the failure against the messages. A "transient" error while the probe says the service is fine is
 * the messages' own failure (e.g. a timeout one giant message causes), so it cannot stall the consumer.
 */
export interface ConsumerDependency {
  name: string;
  isTransient(error: unknown): boolean;
  /**
   * True when the error names the service's own state (by its code, never its text): up and answering the
   * probe, but refusing this work for now (read-only, overloaded, disk full). Such an error is an outage by
   * itself: the consumer pauses with the batch in hand and, once the probe passes, tries the same batch
   * again; only a write that goes through ends the pause. Must not include errors a message can cause
   * itself, or that message would hold the consumer for good.
   */
  isServerState?(error: unknown): boolean;
  /** Resolves true when the service answers; false, a rejection or a timeout mean it is down. */
  probe(): Promise<boolean>;
}

export type DeadLetterCategory = "invalid_payload" | "rejected" | "retries_exhausted";

export interface DeadLetterInfo {
  consumer: string;
  subject: string;
  payload: string;
  reason: string;
  category: DeadLetterCategory;
}

export type ConsumerState =
  | { consumer: string; status: "running" }
  | { consumer: string; status: "paused"; dependency: string; reason: string; since: string; probes: number }
  | { consumer: string; status: "stopped" };

export interface BatchConsumerOptions<T> {
  bus: Bus;
  stream: string;
  durable: string;
  schema: z.ZodType<T>;
  /** Must return one outcome per item. Throwing means the whole call failed (see `dependency`). */
  handle: (items: T[]) => Promise<Outcome[]>;
  maxBatch?: number;
  /** Failed attempts (retry outcomes, failures alone) after which a message is dead-lettered. */
  maxDeliver?: number;
  /** Delay before a failed message comes back, by its number of failed attempts so far. */
  backoffMs?: (failures: number) => number;
  dependency?: ConsumerDependency;
  /** Waits between probes while paused, by probe number: 0.5 s doubling up to 30 s by default. */
  pauseBackoffMs?: (probe: number) => number;
  probeTimeoutMs?: number;
  /** How often messages in hand are reported as in progress; default a third of the consumer's ack wait. */
  heartbeatMs?: number;
  /** Called before a message is dead-lettered; a failure leaves the message to be tried again later. */
  onDeadLetter?: (info: DeadLetterInfo) => Promise<void>;
  onStateChange?: (state: ConsumerState) => void;
  log: Logger;
  onBatch?: (stats: { size: number; ms: number; failed: number }) => void;
}

export interface RunningConsumer {
  readonly durable: string;
  state(): ConsumerState;
  stop(): Promise<void>;
}
