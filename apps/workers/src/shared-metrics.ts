import { Counter, type CounterConfiguration, Histogram, type HistogramConfiguration, type Registry } from "prom-client";

/** The registry's counter of this name, made on first use: the senders and schedulers of one process share it. */
export function sharedCounter<L extends string>(
  registry: Registry,
  config: Omit<CounterConfiguration<L>, "registers">,
): Counter<L> {
  return (
    (registry.getSingleMetric(config.name) as Counter<L> | undefined) ??
    new Counter({ ...config, registers: [registry] })
  );
}

/** The registry's histogram of this name, made on first use (as `sharedCounter`). */
export function sharedHistogram<L extends string>(
  registry: Registry,
  config: Omit<HistogramConfiguration<L>, "registers">,
): Histogram<L> {
  return (
    (registry.getSingleMetric(config.name) as Histogram<L> | undefined) ??
    new Histogram({ ...config, registers: [registry] })
  );
}
