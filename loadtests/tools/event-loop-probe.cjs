// Preloaded into every Node process of a bench (NODE_OPTIONS="--require <this file>"): each process appends its
// event-loop delay (p99 and max over the last 10 s) to one file, so a latency tail can be told apart as one
// process's own stall (GC, a long task) or the whole machine's (every process stalls at the same moment).
// A plain CommonJS file: --require loads it before any TypeScript loader.
const { monitorEventLoopDelay } = require("node:perf_hooks");
const { appendFileSync } = require("node:fs");
const { isMainThread } = require("node:worker_threads");

if (isMainThread) {
  const file = process.env.EVENT_LOOP_LOG || "/tmp/regulars-event-loop.log";
  const histogram = monitorEventLoopDelay({ resolution: 5 });
  histogram.enable();
  const script = process.argv.slice(1).find((a) => /\.(ts|mjs|js)$/.test(a) && !a.includes("node_modules")) || "";
  const name = script.split("/").slice(-3).join("/");
  const ms = (ns) => (ns / 1e6).toFixed(1);
  setInterval(() => {
    const line = `${new Date().toISOString()} pid ${process.pid} ${name} p99 ${ms(histogram.percentile(99))} ms max ${ms(histogram.max)} ms\n`;
    appendFileSync(file, line);
    histogram.reset();
  }, 10_000).unref();
}
