/**
 * Room left at the end of a claim's lease for the last attempt to commit, and for the clocks of two senders to
 * disagree: once Postgres answers, recording sends takes milliseconds.
 */
export const leaseMarginMs = 10_000;

/** Longest wait between two attempts: Postgres back after a failover is noticed within seconds. */
const longestWaitMs = 5_000;

export interface RecordingWindow {
  /** When the claim's lease ends: from then on another sender may take the messages and send them again. */
  leaseEndsAt: Date;
  clock: () => Date;
  /** Aborted when the sender stops: one more attempt, then the caller gives up. */
  stopping: AbortSignal;
}

/**
 * Runs `record` until it succeeds, waiting 0.25, 0.5, 1, 2 s and then 5 s between attempts, for as long as the
 * lease keeps the messages from other senders (less `leaseMarginMs`) and the sender is not stopping. A send the
 * provider took and nobody recorded goes out again once the lease ends: giving up any earlier sends it twice.
 * Throws the last failure when the window is over.
 */
export async function recordBeforeLeaseEnds<T>(record: () => Promise<T>, window: RecordingWindow): Promise<T> {
  const lastTry = window.leaseEndsAt.getTime() - leaseMarginMs;
  for (let attempt = 0; ; attempt++) {
    try {
      return await record();
    } catch (e) {
      const left = lastTry - window.clock().getTime();
      if (left <= 0 || window.stopping.aborted) throw e;
      await pause(Math.min(250 * 2 ** Math.min(attempt, 5), longestWaitMs, left), window.stopping);
    }
  }
}

function pause(ms: number, stopping: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      stopping.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    stopping.addEventListener("abort", done, { once: true });
  });
}
