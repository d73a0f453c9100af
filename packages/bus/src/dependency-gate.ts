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
 */
export class DependencyGate {
  private current: ConsumerState;
  private interruptSleep: (() => void) | null = null;
  private closed = false;

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

  /** True when `error` means the dependency is down: a transient kind of failure, confirmed by the probe. */
  async isOutage(error: unknown): Promise<boolean> {
    const dependency = this.opts.dependency;
    if (!dependency?.isTransient(error)) return false;
    return !(await this.probe());
  }

  /** Pauses until the dependency answers again; false when the consumer is stopped meanwhile. */
  async waitForRecovery(error: unknown): Promise<boolean> {
    if (this.closed) return false;
    const dependency = this.opts.dependency!.name;
    const since = new Date();
    const reason = summarize(error);
    this.set({
      consumer: this.opts.consumer,
      status: "paused",
      dependency,
      reason,
      since: since.toISOString(),
      probes: 0,
    });
    this.opts.log.warn(
      { consumer: this.opts.consumer, dependency, reason },
      "dependency unavailable; consumer paused with its batch in hand",
    );
    const backoff = this.opts.pauseBackoffMs ?? defaultPauseBackoff;
    for (let probes = 1; !this.closed; probes++) {
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
        this.set({ consumer: this.opts.consumer, status: "running" });
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
