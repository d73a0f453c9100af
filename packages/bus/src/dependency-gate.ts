import type { Logger } from "@regulars/logger";
import type { ConsumerDependency, ConsumerState } from "./consumer-types.ts";
import { busDefaults } from "./defaults.ts";

/** 0.5 s doubling, up to `maxMs`. */
export const pauseBackoff =
  (maxMs: number = busDefaults.pauseMaxMs) =>
  (probe: number) =>
    Math.min(500 * 2 ** (probe - 1), maxMs);
export const defaultPauseBackoff = pauseBackoff();

export interface GateOptions {
  consumer: string;
  dependency?: ConsumerDependency;
  pauseBackoffMs?: (probe: number) => number;
  probeTimeoutMs?: number;
  log: Logger;
  onStateChange?: (state: ConsumerState) => void;
}

/** The line of an error message that says what happened (Prisma puts it last, after the call site). */
export const summarize = (e: unknown) =>
  (e instanceof Error ? e.message : String(e)).split("\n").filter(Boolean).slice(-1)[0]?.slice(0, 300) ??
  "unknown error";

/**
 * Tells a dependency outage from a message's own failure, and while an outage lasts holds the consumer:
 * it probes with a growing wait and lets the consumer go on only when the dependency answers again.
 *
 * A server refusing work because of its state (read-only, too many parts) answers the probe all along, so
 * for such an error the probe only says the server is reachable and the caller's retried write is the real
 * probe. The pause is then not over when `waitForRecovery` returns but when that write goes through
 * (`passed()`): until then a refusal again continues the same pause, its start and its growing wait,
 * instead of starting a new one. This cannot livelock: nothing is counted against the messages, each try
 * comes after a wait that grows to the pause maximum (at most one write of the batch per wait, which is
 * what a server short of merges or memory needs), and only errors no message can cause by itself count
 * as server state (ConsumerDependency.isServerState), so a poison message still fails as its own.
 */
export class DependencyGate {
  private current: ConsumerState;
  private interruptSleep: (() => void) | null = null;
  private closed = false;
  /** A pause for a server-state error, waiting for a write to show that it is over. */
  private unconfirmed: { since: Date; probes: number } | null = null;

  constructor(private readonly opts: GateOptions) {
    this.current = { consumer: opts.consumer, status: "running" };
  }

  state(): ConsumerState {
    return { ...this.current };
  }

  private set(state: ConsumerState) {
    this.current = state;
    this.opts.onStateChange?.(this.state());
  }

  private async probe(): Promise<boolean> {
    const dependency = this.opts.dependency;
    if (!dependency) return true;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>(
      (resolve) => (timer = setTimeout(() => resolve(false), this.opts.probeTimeoutMs ?? 2_000)),
    );
    try {
      return await Promise.race([dependency.probe().catch(() => false), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * True when `error` means the dependency is down: an error naming the server's state, or a transient kind
   * of failure confirmed by the probe. Any other failure ends a pause waiting for a write (the write reached
   * the server and failed on its own).
   */
  async isOutage(error: unknown): Promise<boolean> {
    const dependency = this.opts.dependency;
    if (!dependency) return false;
    if (dependency.isServerState?.(error)) return true;
    if (dependency.isTransient(error) && !(await this.probe())) return true;
    this.passed();
    return false;
  }

  /** The caller's write went through (or failed on its own): a pause for the server's state is over. */
  passed(): void {
    const unconfirmed = this.unconfirmed;
    if (!unconfirmed) return;
    this.unconfirmed = null;
    this.opts.log.info(
      {
        consumer: this.opts.consumer,
        dependency: this.opts.dependency?.name,
        pausedMs: Date.now() - unconfirmed.since.getTime(),
      },
      "dependency accepts writes again; consumer resumed",
    );
  }

  /**
   * Pauses until the dependency answers again; false when the consumer is stopped meanwhile. For an error
   * naming the server's state, true means "try the write again", and a refusal again comes back here.
   */
  async waitForRecovery(error: unknown): Promise<boolean> {
    if (this.closed) return false;
    const dependency = this.opts.dependency!.name;
    const serverState = this.opts.dependency?.isServerState?.(error) ?? false;
    const carried = this.unconfirmed;
    this.unconfirmed = null;
    const since = carried?.since ?? new Date();
    const reason = summarize(error);
    this.set({
      consumer: this.opts.consumer,
      status: "paused",
      dependency,
      reason,
      since: since.toISOString(),
      probes: carried?.probes ?? 0,
    });
    if (!carried)
      this.opts.log.warn(
        { consumer: this.opts.consumer, dependency, reason },
        "dependency unavailable; consumer paused with its batch in hand",
      );
    const backoff = this.opts.pauseBackoffMs ?? defaultPauseBackoff;
    for (let probes = (carried?.probes ?? 0) + 1; !this.closed; probes++) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, backoff(probes));
        this.interruptSleep = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.interruptSleep = null;
      if (this.closed) break;
      if (await this.probe()) {
        // Running while the write is tried: a caller that never reports `passed()` is not left paused.
        this.set({ consumer: this.opts.consumer, status: "running" });
        if (serverState) {
          this.unconfirmed = { since, probes };
          return true;
        }
        this.opts.log.info(
          { consumer: this.opts.consumer, dependency, pausedMs: Date.now() - since.getTime() },
          "dependency is back; consumer resumed",
        );
        return true;
      }
      if (this.current.status === "paused") this.set({ ...this.current, probes });
    }
    return false;
  }

  /** The consumer is stopping: a pause ends at once (the batch in hand is handed back). */
  close(): void {
    this.closed = true;
    this.interruptSleep?.();
    this.set({ consumer: this.opts.consumer, status: "stopped" });
  }
}
