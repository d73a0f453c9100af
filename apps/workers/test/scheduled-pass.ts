/**
 * A scheduled pass that waits its turn. Every test file shares the test database, and with it the scheduler's
 * lease: a pass run while another file's pass holds it answers null. Returns the first pass that ran, and how long
 * that pass took.
 */
export async function passWhenLeaseFree<T>(run: () => Promise<T | null>): Promise<{ done: T; seconds: number }> {
  for (let tries = 0; tries < 600; tries++) {
    const started = Date.now();
    const done = await run();
    if (done !== null) return { done, seconds: (Date.now() - started) / 1000 };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error("the scheduler's lease stayed held by others for a minute");
}
