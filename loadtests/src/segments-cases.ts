import type { SegmentDefinition } from "@regulars/contracts";

/** The segments bench:segments times: SPEC's scenario 5 and what marketers build most, from small to large. */
export const benchSegments: { name: string; definition: SegmentDefinition; materialise: boolean }[] = [
  {
    name: "vegetarian ≥ 30 % and ≥ 2 orders in 30 days",
    definition: {
      all: [
        { type: "tag_affinity", tag: "vegetarian", op: "gte", value: 0.3 },
        { type: "orders_count", window: "30d", op: "gte", value: 2 },
      ],
    },
    materialise: true,
  },
  {
    name: "lapsed: last order 60+ days ago",
    definition: { all: [{ type: "last_order", op: "more_than_days_ago", days: 60, includeNeverOrdered: false }] },
    materialise: true,
  },
  {
    name: "push-reachable, ≥ 3 orders in 90 days",
    definition: {
      all: [
        { type: "consent_granted", channel: "push", purpose: "marketing" },
        { type: "orders_count", window: "90d", op: "gte", value: 3 },
      ],
    },
    materialise: true,
  },
  {
    name: "birthday in 7 days or spent ≥ €100 in 365 days",
    definition: {
      any: [
        { type: "birthday_within", days: 7 },
        { type: "order_value", window: "365d", op: "gte", value: 10_000 },
      ],
    },
    materialise: true,
  },
  {
    name: "app users who opened the app 5+ times in 30 days",
    definition: {
      all: [
        { type: "event_count", source: "behavioural", eventType: "app_opened", window: "30d", op: "gte", value: 5 },
      ],
    },
    materialise: false,
  },
];

export interface Timed {
  coldMs: number;
  /** Median of the runs after the first. */
  warmMs: number;
}

/** The first run (cold caches) and the median of the others. */
export async function timeRuns(runs: number, work: () => Promise<unknown>): Promise<Timed> {
  const ms: number[] = [];
  for (let i = 0; i < Math.max(1, runs); i++) {
    const t0 = performance.now();
    await work();
    ms.push(Math.round(performance.now() - t0));
  }
  const warm = ms.slice(1).sort((a, b) => a - b);
  return { coldMs: ms[0]!, warmMs: warm.length ? warm[Math.floor(warm.length / 2)]! : ms[0]! };
}
