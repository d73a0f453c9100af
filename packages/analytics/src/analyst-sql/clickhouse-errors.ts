import { DomainError } from "@regulars/errors";
import { isTransientClickHouseError } from "../transient.ts";
import { AnalystSqlRefused, type AnalystSqlRule } from "./refusal.ts";
import { unknownTableMarker } from "./tables.ts";

/** ClickHouse exception types (chdb and the HTTP client both report `type`) and the rule each one means. */
const ruleOfType: Record<string, AnalystSqlRule> = {
  SYNTAX_ERROR: "syntax",
  UNKNOWN_QUERY_PARAMETER: "query_parameter",
  TIMEOUT_EXCEEDED: "time_limit",
  TOO_SLOW: "time_limit",
  TOO_MANY_ROWS: "rows_read_limit",
  TOO_MANY_BYTES: "bytes_read_limit",
  TOO_MANY_ROWS_OR_BYTES: "result_limit",
  MEMORY_LIMIT_EXCEEDED: "memory_limit",
  READONLY: "readonly",
  ACCESS_DENIED: "access_denied",
  QUOTA_EXCEEDED: "quota",
};

/**
 * ClickHouse's message without what belongs to us: the `In scope ...` and `while executing ...` tails
 * repeat our bindings (database name, tenant), the version tail is noise, and the database prefix is
 * an internal name analysts never write.
 */
export function cleanMessage(message: string, database: string): string {
  const cut = message.search(/:? In scope |: while executing |:? \(version |\. Stack trace/);
  const head = (cut >= 0 ? message.slice(0, cut) : message)
    .replace(/^Code: \d+\. /, "")
    .replace(/^DB::Exception: /, "")
    .replace(/^[\w-]+: (?=Cannot execute|Not enough privileges)/, "")
    .replaceAll(database ? `${database}.` : "\0", "")
    .trim();
  return head.length > 600 ? `${head.slice(0, 600)}…` : head;
}

/**
 * Turns a ClickHouse failure of an analyst query into the error the API answers with. Trouble of the
 * server itself (overload, network) is `unavailable`; anything without a ClickHouse type is not a
 * statement problem and is thrown on unchanged (an internal error, logged with the request id).
 */
export function analystSqlError(error: unknown, database: string): Error {
  if (error instanceof DomainError) return error;
  const type = (error as { type?: unknown })?.type;
  const message = cleanMessage(String((error as Error)?.message ?? error), database);
  const rule = typeof type === "string" ? ruleOfType[type] : undefined;
  if (rule === "syntax" && /Multi-statements are not allowed/.test(message)) {
    return new AnalystSqlRefused("multiple_statements", "send one SELECT, without a second statement after `;`");
  }
  if (rule === "query_parameter") return new AnalystSqlRefused(rule, "query parameters ({name:Type}) are not accepted");
  if (rule) return new AnalystSqlRefused(rule, message);
  const unknownTable = new RegExp(`\`${unknownTableMarker}([^\`]+)\``).exec(message);
  if (type === "UNKNOWN_IDENTIFIER" && unknownTable) return new AnalystSqlRefused("unknown_table", unknownTable[1]!);
  if (isTransientClickHouseError(error)) {
    return new DomainError("unavailable", "analytics is busy or unreachable; try again shortly");
  }
  if (typeof type === "string") return new AnalystSqlRefused("query_error", message);
  return error instanceof Error ? error : new Error(String(error));
}

/**
 * A failure of one of the statements that check an analyst query before it runs. `EXPLAIN QUERY TREE`
 * already evaluates constant expressions and scalar subqueries, so ClickHouse's message may quote a value
 * computed from the query (the content of whatever a function read): none of it reaches the analyst.
 * They get the rule, the exception type and, for an unknown identifier, the name they wrote. The
 * formatter only parses the text, so its syntax errors (which quote the analyst's own text) are kept
 * ("format" step).
 */
export function checkingError(error: unknown, step: "format" | "explain"): Error {
  if (error instanceof DomainError) return error;
  const type = (error as { type?: unknown })?.type;
  if (typeof type !== "string") {
    if (isTransientClickHouseError(error)) return analystSqlError(error, "");
    return error instanceof Error ? error : new Error(String(error));
  }
  if (step === "format" && type === "SYNTAX_ERROR") return analystSqlError(error, "");
  const message = String((error as Error)?.message ?? error);
  // Our own binding of a name that is not a table (tables.ts): the name is the analyst's.
  const unknownTable = new RegExp(`\`${unknownTableMarker}([^\`]+)\``).exec(message);
  if (type === "UNKNOWN_IDENTIFIER" && unknownTable) return new AnalystSqlRefused("unknown_table", unknownTable[1]!);
  const rule = ruleOfType[type];
  if (rule === "query_parameter") return new AnalystSqlRefused(rule, "query parameters ({name:Type}) are not accepted");
  if (rule) return new AnalystSqlRefused(rule, `ClickHouse stopped checking the query (${type})`);
  if (isTransientClickHouseError(error)) return analystSqlError(error, "");
  // The name is the analyst's: identifiers come from the query text, never from a computed value.
  const identifier = /^(?:Code: \d+\. )?(?:DB::Exception: )?Unknown [\w ]*identifier `([^`]+)`/.exec(message);
  if (type === "UNKNOWN_IDENTIFIER" && identifier) {
    return new AnalystSqlRefused("query_error", `unknown identifier \`${identifier[1]}\``);
  }
  return new AnalystSqlRefused("query_error", `ClickHouse could not resolve the query (${type})`);
}
