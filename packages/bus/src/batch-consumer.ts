import type { JsMsg } from "@nats-io/jetstream";
import type { BatchConsumerOptions, DeadLetterCategory, Outcome, RunningConsumer } from "./consumer-types.ts";
import { deadLetter } from "./dead-letter.ts";
import { replayForAnother } from "./dead-letter-store.ts";
import { busDefaults } from "./defaults.ts";
import { DependencyGate, summarize } from "./dependency-gate.ts";
import { FailureCounts } from "./failure-counts.ts";
import { MessageSource } from "./message-source.ts";

const defaultBackoff = (failures: number) => Math.min(500 * 2 ** (failures - 1), 60_000);

interface Parsed<T> {
  msg: JsMsg;
  data: T;
}
/** A handler call either produced outcomes, failed on its own, or was cut short by stopping during an outage. */
type Attempt = { outcomes: Outcome[] } | { failed: unknown } | { stopped: true };

/**
 * Pulls messages continuously and hands them to `handle` in batches, one batch at a time, so one
 * customer's messages apply in stream order. Messages are acknowledged only after `handle` resolved,
 * i.e. after the handler's database commit; a crash before that means redelivery, which handlers make
 * harmless with idempotency keys.
 *
 * Failures are told apart: when the dependency is down, or refuses work because of its state (see
 * ConsumerDependency.isServerState), the consumer pauses with the batch in hand and
 * resumes with the same batch, counting nothing against the messages; when a batch fails otherwise it is
 * re-run one message at a time, in order, so only a message that fails on its own is retried with
 * backoff and, after `maxDeliver` failures, dead-lettered with the reason. One tenant's poison message
 * therefore never dead-letters another's.
 */
export async function startBatchConsumer<T>(opts: BatchConsumerOptions<T>): Promise<RunningConsumer> {
  const maxBatch = opts.maxBatch ?? busDefaults.maxBatch;
  const maxDeliver = opts.maxDeliver ?? busDefaults.maxDeliver;
  const backoff = opts.backoffMs ?? defaultBackoff;
  const log = opts.log;
  const failures = new FailureCounts();
  const gate = new DependencyGate({ ...opts, consumer: opts.durable });
  let stopping = false;
  let wakeProcessor: (() => void) | null = null;
  const source = new MessageSource(opts.bus, opts.stream, opts.durable, maxBatch, log, () => wakeProcessor?.());
  await source.start(opts.heartbeatMs);

  const settled = (m: JsMsg) => {
    failures.forget(m);
    source.release(m);
  };

  const giveUp = async (m: JsMsg, reason: string, category: DeadLetterCategory) => {
    try {
      await opts.onDeadLetter?.({ consumer: opts.durable, subject: m.subject, payload: m.string(), reason, category });
      await deadLetter(opts.bus, opts.durable, opts.stream, m, reason);
      m.term();
      settled(m);
      log.warn({ consumer: opts.durable, seq: m.info.streamSequence, reason }, "message dead-lettered");
    } catch (e) {
      log.error(
        { err: e, consumer: opts.durable, seq: m.info.streamSequence },
        "dead-lettering failed; will try again",
      );
      m.nak(backoff(Math.max(1, failures.of(m))));
      source.release(m);
    }
  };

  const settle = async (m: JsMsg, outcome: Outcome) => {
    if (outcome.kind === "done") {
      m.ack();
      return settled(m);
    }
    if (outcome.kind === "reject") return giveUp(m, outcome.reason, "rejected");
    const failed = failures.add(m);
    if (failed >= maxDeliver)
      return giveUp(m, `gave up after ${failed} deliveries: ${outcome.reason}`, "retries_exhausted");
    log.info(
      { consumer: opts.durable, seq: m.info.streamSequence, failures: failed, reason: outcome.reason },
      "message will be retried",
    );
    m.nak(backoff(failed));
    source.release(m);
  };

  const parse = (batch: JsMsg[], settling: Promise<unknown>[]): Parsed<T>[] => {
    const parsed: Parsed<T>[] = [];
    for (const msg of batch) {
      let json: unknown;
      try {
        json = msg.json();
      } catch {
        settling.push(giveUp(msg, "payload is not valid JSON", "invalid_payload"));
        continue;
      }
      const result = opts.schema.safeParse(json);
      if (result.success) parsed.push({ msg, data: result.data });
      else {
        const issues = result.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
        settling.push(giveUp(msg, `payload does not match the contract: ${issues}`, "invalid_payload"));
      }
    }
    return parsed;
  };

  /** Runs the handler; through an outage it waits and runs the same items again. */
  const attempt = async (items: Parsed<T>[]): Promise<Attempt> => {
    for (;;) {
      try {
        const outcomes = await opts.handle(items.map((p) => p.data));
        if (outcomes.length !== items.length)
          throw new Error(`handler returned ${outcomes.length} outcomes for ${items.length} messages`);
        gate.passed();
        return { outcomes };
      } catch (e) {
        if (!(await gate.isOutage(e))) return { failed: e };
        source.paused = true;
        const resumed = await gate.waitForRecovery(e);
        source.paused = false;
        source.wake();
        if (!resumed) return { stopped: true };
      }
    }
  };

  /** One outcome per message, in order; fewer when the consumer stopped during an outage. */
  const decide = async (parsed: Parsed<T>[]): Promise<Outcome[]> => {
    if (!parsed.length) return [];
    const whole = await attempt(parsed);
    if ("stopped" in whole) return [];
    if ("outcomes" in whole) return whole.outcomes;
    if (parsed.length === 1) return [{ kind: "retry", reason: summarize(whole.failed) }];
    log.warn(
      { err: whole.failed, consumer: opts.durable, size: parsed.length },
      "batch failed; handling its messages one by one",
    );
    // In order, one at a time: the messages of one customer must still apply in stream order.
    const outcomes: Outcome[] = [];
    for (const p of parsed) {
      const single = await attempt([p]);
      if ("stopped" in single) break;
      outcomes.push("outcomes" in single ? single.outcomes[0]! : { kind: "retry", reason: summarize(single.failed) });
    }
    return outcomes;
  };

  /** Acks, unread, the replays of another durable's dead letters (see `replayForHeader`); returns the rest. */
  const ours = (batch: JsMsg[]): JsMsg[] => {
    const kept: JsMsg[] = [];
    for (const m of batch) {
      const target = replayForAnother(m, opts.durable);
      if (target === null) {
        kept.push(m);
        continue;
      }
      m.ack();
      settled(m);
      log.debug({ consumer: opts.durable, seq: m.info.streamSequence, target }, "skipped another consumer's replay");
    }
    return kept;
  };

  const processBatch = async (batch: JsMsg[]) => {
    const started = performance.now();
    const settling: Promise<unknown>[] = [];
    const parsed = parse(ours(batch), settling);
    const outcomes = await decide(parsed);
    for (const [i, outcome] of outcomes.entries()) settling.push(settle(parsed[i]!.msg, outcome));
    source.unprocessed(parsed.slice(outcomes.length).map((p) => p.msg));
    await Promise.all(settling);
    opts.onBatch?.({
      size: batch.length,
      ms: performance.now() - started,
      failed: outcomes.filter((o) => o.kind !== "done").length,
    });
  };

  const loop = (async () => {
    while (!stopping) {
      if (source.buffer.length === 0) {
        await new Promise<void>((r) => {
          wakeProcessor = r;
          setTimeout(r, 250);
        });
        wakeProcessor = null;
        continue;
      }
      const batch = source.buffer.splice(0, maxBatch);
      source.wake();
      await processBatch(batch);
    }
  })();

  return {
    durable: opts.durable,
    state: () => gate.state(),
    async stop() {
      stopping = true;
      gate.close();
      wakeProcessor?.();
      await source.stopPulling();
      await loop;
      await source.close();
    },
  };
}
