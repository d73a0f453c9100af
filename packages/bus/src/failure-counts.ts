import type { JsMsg } from "@nats-io/jetstream";

/**
 * How often each message failed on its own in this process. JetStream's delivery count cannot serve:
 * it also counts hand-backs at shutdown and redeliveries after a pause, none of which say anything about the message. Counts are per process, so after a
 * restart a poison message gets a few more attempts, never fewer: the safe direction.
 */
export class FailureCounts {
  private readonly counts = new Map<number, number>();

  constructor(private readonly capacity = 100_000) {}

  of(m: JsMsg): number {
    return this.counts.get(m.info.streamSequence) ?? 0;
  }

  add(m: JsMsg): number {
    const seq = m.info.streamSequence;
    const n = (this.counts.get(seq) ?? 0) + 1;
    this.counts.delete(seq);
    this.counts.set(seq, n);
    // Messages that moved to another instance are never settled here: forget the oldest first.
    if (this.counts.size > this.capacity) this.counts.delete(this.counts.keys().next().value!);
    return n;
  }

  /** Called for every message settled; with nothing counted it does not read `m.info`, which parses the reply subject. */
  forget(m: JsMsg): void {
    if (this.counts.size === 0) return;
    this.counts.delete(m.info.streamSequence);
  }
}
