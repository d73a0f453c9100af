export interface ClaimLoopOptions {
  /** Slots: at most this many claimed items in flight. */
  concurrency: number;
  /** How long to wait before looking again when nothing was due (or no slots came free). */
  pollMs: number;
  /** Slots in use now. */
  busy: () => number;
  /** Claims what is due, up to the free slots, and starts it; how many it took. */
  claimAndStart: () => Promise<number>;
  /** Other upkeep of the same loop (pruning old rows), run after each claim; failures are reported like a claim's. */
  upkeep?: () => Promise<void>;
  /** A claim or upkeep failed; the loop goes on and tries again at the next turn. */
  onError: (error: unknown) => void;
}

export interface ClaimLoop {
  start(): void;
  /** Looks again now rather than at the next poll: a slot came free, or new work was queued. */
  wake(): void;
  /** Ends the loop and resolves once its current turn is over (what was started keeps running). */
  stop(): Promise<void>;
}

/**
 * The polling loop of a sender that claims rows out of Postgres (messages, webhook deliveries): claim while slots are
 * free, else sleep until the poll interval passes or `wake` is called. While items are in flight a claim waits for a
 * quarter of the slots: one claim per finished item would be one query per item.
 */
export function claimLoop(opts: ClaimLoopOptions): ClaimLoop {
  const claimAtLeast = Math.max(1, Math.floor(opts.concurrency / 4));
  const free = () => opts.concurrency - opts.busy();
  let stopped = true;
  let loop: Promise<void> = Promise.resolve();
  let wakeUp: (() => void) | null = null;

  const run = async () => {
    while (!stopped) {
      let started = 0;
      try {
        if (opts.busy() === 0 || free() >= claimAtLeast) started = await opts.claimAndStart();
        await opts.upkeep?.();
      } catch (e) {
        opts.onError(e);
      }
      if (started > 0 && free() >= claimAtLeast) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, opts.pollMs);
        wakeUp = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wakeUp = null;
    }
  };

  return {
    start() {
      if (!stopped) return;
      stopped = false;
      loop = run();
    },
    wake: () => wakeUp?.(),
    async stop() {
      stopped = true;
      wakeUp?.();
      await loop;
    },
  };
}
