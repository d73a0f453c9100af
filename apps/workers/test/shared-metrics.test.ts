import { Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { sharedCounter, sharedHistogram } from "../src/shared-metrics.ts";

// Two senders (or schedulers) in one process register the same metric names: the second must reuse the first's
// metric, not throw prom-client's "already registered", and both count into one series.
describe("shared metrics", () => {
  const counter = { name: "test_sends_total", help: "sends", labelNames: ["outcome"] };
  const histogram = { name: "test_send_seconds", help: "send time", buckets: [0.1, 1] };

  it("give every caller of one registry the same counter and histogram", async () => {
    const registry = new Registry();
    const a = sharedCounter(registry, counter);
    const b = sharedCounter(registry, counter);
    expect(b).toBe(a);
    a.inc({ outcome: "sent" });
    b.inc({ outcome: "sent" }, 2);
    expect((await registry.getSingleMetric("test_sends_total")!.get()).values[0]!.value).toBe(3);
    expect(sharedHistogram(registry, histogram)).toBe(sharedHistogram(registry, histogram));
    expect(registry.getMetricsAsArray()).toHaveLength(2);
  });

  it("keep registries apart", () => {
    const one = sharedHistogram(new Registry(), histogram);
    expect(sharedHistogram(new Registry(), histogram)).not.toBe(one);
  });
});
