import type { ClickHouseClient } from "@clickhouse/client";
import { type AstNode, checkAst, parseAstDump } from "./ast.ts";
import { checkingError } from "./clickhouse-errors.ts";
import type { AnalystSqlLimits } from "./limits.ts";
import { stringColumn } from "./output.ts";
import { refuse } from "./refusal.ts";
import { analystTableNames } from "./tables.ts";

/** An analyst query as ClickHouse printed it back, and the plain table names it mentions. */
export interface ValidatedAnalystSql {
  /** One statement, no comments, identifiers and literals quoted by ClickHouse's own formatter. */
  formatted: string;
  tables: Set<string>;
}

/**
 * The parser gives a FORMAT written after the explained query to that query, not to the EXPLAIN: the
 * client's own `FORMAT JSONEachRow` would vanish into the tree. Ending the query with a FORMAT of its
 * own leaves the client's to the EXPLAIN; the tree then ends with this marker, which checkAst drops.
 */
const innerFormat = "Null";

/**
 * Checks an analyst's text against the rules without running any of it.
 *
 * 1. ClickHouse's formatter parses the text, received as a bound parameter (so it is data, never SQL),
 *    and prints it back: one statement (it refuses a second one after `;`), comments gone, names and
 *    literals quoted canonically. Everything from here on works on that text only, so a comment or a
 *    quoting trick cannot make our reading differ from the server's.
 * 2. A few checks on the canonical text give clear refusals early (what kind of statement, FORMAT).
 * 3. `EXPLAIN AST` of the canonical text is ClickHouse's parse tree, node by node; ast.ts walks it.
 *
 * Failures come back as refusals (checkingError), never as ClickHouse's own message: callers that
 * validate alone (segment SQL) pass them on to the analyst as they are.
 */
export async function validateAnalystSql(
  client: ClickHouseClient,
  sql: string,
  limits: Pick<AnalystSqlLimits, "maxSqlLength">,
): Promise<ValidatedAnalystSql> {
  if (sql.trim() === "") refuse("empty", "there is no query");
  if (sql.length > limits.maxSqlLength) {
    refuse("too_long", `the query has ${sql.length} characters; at most ${limits.maxSqlLength} are accepted`);
  }
  const [formatted = ""] = await stringColumn(
    client,
    { query: "SELECT formatQuery({analyst_sql:String}) AS formatted", query_params: { analyst_sql: sql } },
    "formatted",
  ).catch((error: unknown) => {
    throw checkingError(error, "format");
  });
  checkCanonicalText(formatted);

  const rows = await stringColumn(
    client,
    { query: `EXPLAIN AST (\n${formatted}\nFORMAT ${innerFormat}\n)` },
    "explain",
  ).catch((error: unknown) => {
    throw checkingError(error, "explain");
  });
  const root: AstNode = parseAstDump(rows);
  return { formatted, tables: checkAst(root, analystTableNames, innerFormat) };
}

function checkCanonicalText(formatted: string): void {
  if (formatted === "") refuse("empty", "there is no query");
  // The formatter starts a SELECT with SELECT, WITH or a parenthesis, and every other statement with
  // its own keyword; this only makes the refusal clearer, the parse tree decides.
  if (!/^(?:SELECT|WITH|\()\s/.test(`${formatted} `)) {
    refuse("not_a_select", `${formatted.split(/\s/)[0]} is not a SELECT; only SELECT queries run here`);
  }
  // Top-level clauses start a line in the formatter's output; literals never span lines there.
  if (/^(?:FORMAT|INTO OUTFILE)\s/m.test(formatted)) {
    refuse("output_options", "FORMAT and INTO OUTFILE are not accepted; the API returns rows as JSON");
  }
  // The parse tree does not show RECURSIVE, and the query tree would read the recursion's own table.
  if (/\bWITH RECURSIVE\b/.test(formatted)) refuse("recursive_cte", "WITH RECURSIVE is not accepted");
  // Refused here as well as in the tree: EXPLAIN would apply a top-level SETTINGS clause to itself.
  if (/^SETTINGS\s/m.test(formatted)) refuse("settings", "SETTINGS are chosen by the platform, not in the query");
  // The parse tree prints names unquoted followed by these suffixes: a name holding one could pass for another.
  if (/ \((?:alias|children) /.test(formatted)) {
    refuse("reserved_text", "the text ' (alias ' or ' (children ' cannot appear in a query");
  }
}
