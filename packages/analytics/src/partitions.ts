/**
 * Every fact table is `PARTITION BY toYYYYMM(occurred_at)`, and ClickHouse refuses an INSERT whose rows
 * fall into more than `max_partitions_per_insert_block` partitions (100 by default): a backfill or an
 * offline terminal uploading years of history would fail the whole batch, forever. Rows are split
 * into inserts that each touch at most `maxPartitions` months, in month order.
 */
export const defaultMaxPartitionsPerInsert = 50;

/** `occurred_at` as written (`YYYY-MM-DD hh:mm:ss.SSS`, UTC) → its partition, `YYYYMM`. */
const monthOf = (row: { occurred_at: string }) => row.occurred_at.slice(0, 7);

export function splitByPartition<T extends { occurred_at: string }>(
  rows: T[],
  maxPartitions = defaultMaxPartitionsPerInsert,
): T[][] {
  if (maxPartitions < 1) throw new Error(`maxPartitions must be at least 1, not ${maxPartitions}`);
  const byMonth = new Map<string, T[]>();
  for (const row of rows) {
    const month = monthOf(row);
    const group = byMonth.get(month);
    if (group) group.push(row);
    else byMonth.set(month, [row]);
  }
  const months = [...byMonth.keys()].sort();
  const inserts: T[][] = [];
  for (let i = 0; i < months.length; i += maxPartitions) {
    inserts.push(months.slice(i, i + maxPartitions).flatMap((m) => byMonth.get(m)!));
  }
  return inserts;
}
