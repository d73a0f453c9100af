import { Worker } from "node:worker_threads";

/**
 * The bench's receiver: a node:http server on its own thread (its own event loop, so answering never waits
 * for the sender's work), answering 204 and noting, per body, how long after `data.enqueuedAt` it arrived.
 */
const source = `
const { parentPort } = require("node:worker_threads");
const { createServer } = require("node:http");
const latencies = [];
let count = 0;
const server = createServer((req, res) => {
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => {
    count++;
    try {
      const enqueuedAt = JSON.parse(Buffer.concat(chunks).toString()).data.enqueuedAt;
      if (typeof enqueuedAt === "number") latencies.push(Date.now() - enqueuedAt);
    } catch {}
    res.writeHead(204).end();
  });
});
server.keepAliveTimeout = 30000;
server.listen(0, "127.0.0.1", () => parentPort.postMessage({ port: server.address().port }));
parentPort.on("message", (m) => {
  if (m === "count") parentPort.postMessage({ count });
  if (m === "take") { parentPort.postMessage({ latencies: latencies.splice(0), count }); count = 0; }
  if (m === "close") server.close(() => parentPort.close());
});
`;

export interface BenchReceiver {
  url: string;
  /** Requests received since the last `take`. */
  count(): Promise<number>;
  /** Enqueue-to-receipt times (ms) since the last `take`, and resets the count. */
  take(): Promise<{ latencies: number[]; count: number }>;
  close(): Promise<void>;
}

export async function startBenchReceiver(): Promise<BenchReceiver> {
  const worker = new Worker(source, { eval: true });
  const next = <T>(key: string) =>
    new Promise<T>((resolve) => {
      const on = (m: Record<string, unknown>) => {
        if (key in m) {
          worker.off("message", on);
          resolve(m as T);
        }
      };
      worker.on("message", on);
    });
  const { port } = await next<{ port: number }>("port");
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    async count() {
      const reply = next<{ count: number }>("count");
      worker.postMessage("count");
      return (await reply).count;
    },
    async take() {
      const reply = next<{ latencies: number[]; count: number }>("latencies");
      worker.postMessage("take");
      return reply;
    },
    async close() {
      worker.postMessage("close");
      await worker.terminate();
    },
  };
}
