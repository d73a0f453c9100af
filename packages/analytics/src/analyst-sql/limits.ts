/** What one analyst query may cost. ClickHouse stops the query with an error when it goes past any of them. */
export interface AnalystSqlLimits {
  /** Longest SQL text accepted, in characters. */
  maxSqlLength: number;
  maxExecutionSeconds: number;
  /** Rows read from tables (after the tenant filter's index pruning), over the whole query. */
  maxRowsToRead: number;
  maxBytesToRead: number;
  /** Rows and uncompressed bytes of the result: a larger result is an error, never a silent cut. */
  maxResultRows: number;
  maxResultBytes: number;
  maxMemoryBytes: number;
}

/**
 * Interactive questions over one tenant's facts: seconds, not minutes; results a person reads or a chart
 * draws. chdb runs one query at a time in its process (the analytics writer waits behind it), which is
 * what bounds the time.
 */
export const defaultAnalystSqlLimits: AnalystSqlLimits = {
  maxSqlLength: 20_000,
  maxExecutionSeconds: 10,
  maxRowsToRead: 200_000_000,
  maxBytesToRead: 20 * 1024 ** 3,
  maxResultRows: 10_000,
  maxResultBytes: 16 * 1024 ** 2,
  maxMemoryBytes: 1024 ** 3,
};

const positive = (name: string, value: number): number => {
  if (!Number.isFinite(value) || value <= 0)
    throw new Error(`Analyst SQL limit ${name} must be positive, got ${value}`);
  return value;
};

/**
 * The SETTINGS clause appended to every statement we send on an analyst's behalf. It goes in the SQL,
 * not in the client's per-query settings: chdb turns those into session-wide `SET`s, and read-only
 * mode would then stick to the writer's later inserts. `readonly` is left out where the connection is
 * read-only already (a client logged in as a read-only user): ClickHouse refuses to set it again there.
 */
export function limitSettings(limits: AnalystSqlLimits, setReadonly = true): string[] {
  const whole = (name: string, value: number) => Math.floor(positive(name, value));
  return [
    ...(setReadonly ? ["readonly = 1"] : []),
    `max_execution_time = ${positive("maxExecutionSeconds", limits.maxExecutionSeconds)}`,
    "timeout_overflow_mode = 'throw'",
    `max_rows_to_read = ${whole("maxRowsToRead", limits.maxRowsToRead)}`,
    `max_bytes_to_read = ${whole("maxBytesToRead", limits.maxBytesToRead)}`,
    "read_overflow_mode = 'throw'",
    `max_result_rows = ${whole("maxResultRows", limits.maxResultRows)}`,
    `max_result_bytes = ${whole("maxResultBytes", limits.maxResultBytes)}`,
    "result_overflow_mode = 'throw'",
    `max_memory_usage = ${whole("maxMemoryBytes", limits.maxMemoryBytes)}`,
  ];
}
