import { defaultAnalystSqlLimits } from "@regulars/analytics";
import { z } from "zod";

const maxLength = defaultAnalystSqlLimits.maxSqlLength;

/**
 * The analyst's SQL: one string, or a multi-line query as its lines. Every string an API input holds is
 * refused if it has control characters (newline and tab included), so an editor sends its lines, which
 * are joined with newlines here (a `--` comment ends at its line's end, as it did in the editor).
 */
export const AnalystSqlInput = z.object({
  sql: z
    .union([
      z.string().min(1, "must not be empty").max(maxLength, `must be at most ${maxLength} characters`),
      z.array(z.string().max(maxLength)).min(1, "must hold at least one line").max(5_000, "must be at most 5000 lines"),
    ])
    .transform((sql) => (Array.isArray(sql) ? sql.join("\n") : sql))
    .describe("a ClickHouse SELECT over transactions, transaction_lines and events; see docs/analyst-sql.md"),
});
