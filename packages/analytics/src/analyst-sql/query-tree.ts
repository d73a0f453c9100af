import { deniedFunction } from "./functions.ts";
import { refuse } from "./refusal.ts";

/**
 * The header a CROSS JOIN (comma joins too) and an ARRAY JOIN print above each side they join. It reads
 * nothing itself: the side follows on rows of its own (TABLE, QUERY, TABLE_FUNCTION) and is checked there.
 */
const joinSideHeader = "TABLE EXPRESSION";

/**
 * The second opinion: ClickHouse's analyzer resolves the whole statement we are about to run (our
 * bindings included) and `EXPLAIN QUERY TREE` lists every storage it will read and every function it
 * will call, after CTEs, aliases and subqueries are resolved. Whatever the parse-tree rules may have
 * missed, a read of anything but the allowed tables (or `system.one`, which every SELECT without FROM
 * reads) stops the query here, before it runs.
 */
export function checkQueryTree(rows: string[], allowedStorages: ReadonlySet<string>): void {
  for (const row of rows) {
    const line = row.trimStart();
    if (line.startsWith("TABLE_FUNCTION ")) {
      const name = /table_function_name: ([^,]+)/.exec(line)?.[1] ?? "a table function";
      refuse("outside_tables", `the query would read from ${name}`);
    } else if (line.startsWith("TABLE ") && line !== joinSideHeader) {
      const name = /table_name: ([^,\s]+)/.exec(line)?.[1];
      if (!name || !allowedStorages.has(name)) refuse("outside_tables", "the query would read another table");
    } else if (line.startsWith("FUNCTION ")) {
      const name = /function_name: ([^,]+),/.exec(line)?.[1];
      if (!name) refuse("outside_tables", "the query tree could not be read");
      // The analyzer's own helpers (`__getScalar`, ...) appear here; an analyst cannot write them (ast.ts).
      if (name.startsWith("__")) continue;
      const denied = deniedFunction(name);
      if (denied) refuse("function", denied);
    }
  }
}
