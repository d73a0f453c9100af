import { once } from "node:events";
import { rmSync } from "node:fs";
import { createConnection, createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { afterResponsiveMs } from "../src/recorded-lookups.ts";

/**
 * `afterResponsiveMs` bounds the gateway's look-ups by time the process could have read an answer. Its two paths are
 * told apart by outcomes here: which of the timeout and an answer the same turn made readable is seen first, and
 * whether a loop held on every turn still ends the wait. The bounds are small and nothing here asserts a duration.
 */
const bound = 20;
const socketPath = join(tmpdir(), `regulars-responsive-${process.pid}-${Date.now().toString(36)}.sock`);
let server: Server;
/** Writing here makes the answer readable at once: a Unix socket hands the bytes to its peer within the write. */
let postgresSide: Socket;
let gatewaySide: Socket;

beforeAll(async () => {
  server = createServer();
  server.listen(socketPath);
  await once(server, "listening");
  const accepted = once(server, "connection");
  postgresSide = createConnection(socketPath);
  gatewaySide = (await accepted)[0] as Socket;
  await once(postgresSide, "connect");
});
afterAll(async () => {
  postgresSide?.destroy();
  gatewaySide?.destroy();
  await new Promise((resolve) => server?.close(resolve));
  rmSync(socketPath, { force: true });
});

/** Two check phases on: a timeout still pending after the answer would have fired by then. */
const afterTheTurn = () => new Promise((resolve) => setImmediate(() => setImmediate(resolve)));

it("fires after its bound when nothing answers", async () => {
  const timedOut = new Promise<string>((resolve) => afterResponsiveMs(bound, () => resolve("timed out")));
  expect(await timedOut).toBe("timed out");
});

it("fired on time, lets the answer read in the same turn cancel it", async () => {
  const seen: string[] = [];
  const answered = once(gatewaySide, "data");
  // Same duration, armed first: it runs in the timers phase that fires the bound, just before it.
  setTimeout(() => postgresSide.write("answer"), bound);
  const cancel = afterResponsiveMs(bound, () => seen.push("timed out"));
  gatewaySide.once("data", () => {
    seen.push("answer");
    cancel();
  });
  await answered;
  await afterTheTurn();
  expect(seen).toEqual(["answer"]);
});

it("fired late because the loop was held on every turn, starts again a few times and then ends", async () => {
  // Larger than the others': a stall of the loop before the first held turn (a busy machine) must not be mistaken
  // for a timer fired on time.
  const lateBound = 10 * bound;
  let heldTurns = 0;
  let timedOutAfter: number | undefined;
  afterResponsiveMs(lateBound, () => {
    timedOutAfter = heldTurns;
  });
  // Each check phase holds the loop for three bounds, so the timer is always found well past its due time.
  const safetyStop = 20;
  await new Promise<void>((resolve) => {
    const hold = () => {
      if (timedOutAfter !== undefined || heldTurns >= safetyStop) return resolve();
      heldTurns++;
      const until = performance.now() + 3 * lateBound;
      while (performance.now() < until) {}
      setImmediate(hold);
    };
    setImmediate(hold);
  });
  // Started again rather than giving up at its first late firing (after 2 held turns), and stopped starting again
  // while the loop was still held: 3 restarts end it on the 5th held turn, a turn more is slack.
  expect(timedOutAfter).toBeGreaterThanOrEqual(3);
  expect(timedOutAfter).toBeLessThanOrEqual(6);
});
