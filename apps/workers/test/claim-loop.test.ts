import { afterEach, describe, expect, it } from "vitest";
import { type ClaimLoop, claimLoop } from "../src/claim-loop.ts";

// The senders' polling loop on its own: it claims again at once while work comes and slots are free, sleeps
// otherwise until the poll or a wake-up, reports failures and goes on, and stops between turns.

const tick = (ms = 20) => new Promise((r) => setTimeout(r, ms));
/** Waits until `done` holds (a slow machine may take a while), or fails after five seconds. */
async function until(done: () => boolean) {
  for (const started = Date.now(); !done(); await tick(5))
    if (Date.now() - started > 5_000) throw new Error("the loop did not get there in 5 s");
}
let running: ClaimLoop | undefined;
afterEach(async () => {
  await running?.stop();
});

describe("claim loop", () => {
  it("claims again at once while items keep coming, then sleeps until woken", async () => {
    let due = 5;
    let claims = 0;
    running = claimLoop({
      concurrency: 4,
      pollMs: 60_000,
      busy: () => 0,
      claimAndStart: async () => {
        claims++;
        const taken = Math.min(due, 1);
        due -= taken;
        return taken;
      },
      onError: () => {},
    });
    running.start();
    await tick();
    expect(due).toBe(0);
    expect(claims).toBe(6); // five that took one each, one that found nothing: then it sleeps
    due = 1;
    await tick();
    expect(claims).toBe(6);
    running.wake();
    await tick();
    expect(due).toBe(0);
    expect(claims).toBe(8);
  });

  it("waits for a quarter of the slots before claiming while items are in flight", async () => {
    let busy = 7;
    let claims = 0;
    running = claimLoop({
      concurrency: 8,
      pollMs: 10,
      busy: () => busy,
      claimAndStart: async () => {
        claims++;
        return 0;
      },
      onError: () => {},
    });
    running.start();
    await tick(60);
    expect(claims).toBe(0);
    busy = 6;
    await until(() => claims > 0);
  });

  it("reports a failed claim or upkeep and tries again at the next turn", async () => {
    const errors: unknown[] = [];
    let upkeeps = 0;
    running = claimLoop({
      concurrency: 1,
      pollMs: 5,
      busy: () => 0,
      claimAndStart: async () => {
        if (errors.length < 2) throw new Error("database down");
        return 0;
      },
      upkeep: async () => {
        upkeeps++;
      },
      onError: (e) => errors.push(e),
    });
    running.start();
    await until(() => upkeeps > 0);
    expect(errors.map((e) => (e as Error).message)).toEqual(["database down", "database down"]);
  });

  it("stops between turns: no claim starts after stop resolves", async () => {
    let claims = 0;
    const loop = claimLoop({
      concurrency: 1,
      pollMs: 5,
      busy: () => 0,
      claimAndStart: async () => {
        claims++;
        return 0;
      },
      onError: () => {},
    });
    loop.start();
    await until(() => claims > 1);
    await loop.stop();
    const after = claims;
    await tick(40);
    expect(claims).toBe(after);
  });
});
