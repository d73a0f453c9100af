import { assertIdentifier } from "../config.ts";
import type { FactsTarget } from "../loyalty-events.ts";

// Dashboard reads, like every read of the fact tables, use FINAL: a redelivered fact waits in its own part
// until a merge that may never come. Values travel only as query_params; the database name is the one
// identifier spliced in, checked by assertIdentifier.

/** `db.table` of a fact table, for a database name that is a plain identifier. */
export const factTable = (target: FactsTarget, name: "loyalty_events" | "transactions"): string =>
  `${assertIdentifier(target.database)}.${name}`;

export async function selectRows<T>(target: FactsTarget, query: string, params: Record<string, unknown>): Promise<T[]> {
  const result = await target.client.query({ query, query_params: params, format: "JSONEachRow" });
  return result.json<T>();
}

/** 64-bit integers arrive as strings (exact JSON); dashboard figures stay far below 2^53. */
export const int = (value: string | number | undefined): number => Number(value ?? 0);

/** Every period of the axis, in order, with the rows found for it and `zero` where none were. */
export function fillPeriods<R extends { period: string }, V>(
  periods: string[],
  rows: R[],
  toValue: (row: R) => V,
  zero: V,
): ({ period: string } & V)[] {
  const found = new Map(rows.map((row) => [row.period, toValue(row)]));
  return periods.map((period) => ({ period, ...(found.get(period) ?? zero) }));
}
