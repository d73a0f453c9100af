import { DomainError, type ErrorCode } from "@regulars/errors";

/**
 * Why an analyst's query did not run. Each name is one rule of docs/analyst-sql.md; the API message
 * starts with it so an analyst (and a support engineer reading a log line) knows what to change.
 */
export type AnalystSqlRule =
  // refused before anything ran
  | "empty"
  | "too_long"
  | "syntax"
  | "multiple_statements"
  | "not_a_select"
  | "output_options"
  | "settings"
  | "query_parameter"
  | "table_function"
  | "qualified_table"
  | "table_name"
  | "in_table"
  | "function"
  | "unsupported_syntax"
  | "reserved_text"
  | "recursive_cte"
  | "unknown_table"
  | "outside_tables"
  // stopped by ClickHouse while it ran
  | "time_limit"
  | "rows_read_limit"
  | "bytes_read_limit"
  | "result_limit"
  | "memory_limit"
  | "readonly"
  | "access_denied"
  | "quota"
  | "query_error";

const limitRules = new Set<AnalystSqlRule>([
  "time_limit",
  "rows_read_limit",
  "bytes_read_limit",
  "result_limit",
  "memory_limit",
]);

/**
 * A refused or stopped analyst query. Refusals are the caller's to fix (`invalid_request`); a query
 * stopped by a limit was valid but too expensive (`unprocessable`); a quota is `rate_limited`.
 */
export class AnalystSqlRefused extends DomainError {
  readonly rule: AnalystSqlRule;
  constructor(rule: AnalystSqlRule, detail: string) {
    const code: ErrorCode =
      rule === "quota" ? "rate_limited" : limitRules.has(rule) ? "unprocessable" : "invalid_request";
    const message = `${rule}: ${detail}`;
    super(
      code,
      `${code === "invalid_request" ? "the query was refused by rule" : "the query was stopped by"} ${message}`,
      [{ path: "sql", message }],
    );
    this.name = "AnalystSqlRefused";
    this.rule = rule;
  }
}

export function refuse(rule: AnalystSqlRule, detail: string): never {
  throw new AnalystSqlRefused(rule, detail);
}
