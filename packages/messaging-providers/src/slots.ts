export interface Slots {
  /**
   * Resolves true holding a slot, or false (holding nothing) once `signal` aborts first. Waiters are served in order.
   * A waiter granted a slot in the same turn as its signal aborts still gets true: the caller checks the signal.
   */
  take(signal?: AbortSignal): Promise<boolean>;
  give(): void;
}

/**
 * At most `size` holders at once. A provider whose client queues work beyond its connections (nodemailer's pool)
 * waits here instead: a wait here can be given up, one in the client's queue cannot, and is sent whenever it comes up.
 */
export function slots(size: number): Slots {
  let free = size;
  const waiting: (() => void)[] = [];
  return {
    take(signal) {
      if (signal?.aborted) return Promise.resolve(false);
      if (free > 0) {
        free--;
        return Promise.resolve(true);
      }
      return new Promise((resolve) => {
        const withdraw = () => {
          const at = waiting.indexOf(grant);
          if (at >= 0) waiting.splice(at, 1);
          resolve(false);
        };
        const grant = () => {
          signal?.removeEventListener("abort", withdraw);
          resolve(true);
        };
        waiting.push(grant);
        signal?.addEventListener("abort", withdraw, { once: true });
      });
    },
    give() {
      const next = waiting.shift();
      if (next) next();
      else free++;
    },
  };
}
