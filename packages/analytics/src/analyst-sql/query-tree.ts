import {
  isArrayConstructor,
  isPairwiseArrayFunction,
  pairwiseArrayRefusal,
  printedArrayLength,
  withinWrittenArrayBound,
} from "./array-pairs.ts";
import { deniedFunction } from "./functions.ts";
import { refuse } from "./refusal.ts";

/**
 * The header a CROSS JOIN (comma joins too) and an ARRAY JOIN print above each side they join. It reads
 * nothing itself: the side follows on rows of its own (TABLE, QUERY, TABLE_FUNCTION) and is checked there.
 */
const joinSideHeader = "TABLE EXPRESSION";

const indentOf = (row: string) => row.length - row.trimStart().length;

/** The rows one level below `rows[at]`: the tree indents each level by two spaces. */
function childRows(rows: string[], at: number): number[] {
  const depth = indentOf(rows[at] ?? "");
  const children: number[] = [];
  for (let i = at + 1; i < rows.length && indentOf(rows[i] ?? "") > depth; i++) {
    if (indentOf(rows[i] ?? "") === depth + 2) children.push(i);
  }
  return children;
}

/** The argument rows of the FUNCTION at `rows[at]`: its `ARGUMENTS`, then that `LIST`'s children. */
function argumentRows(rows: string[], at: number): number[] {
  const list = childRows(rows, at)
    .filter((i) => rows[i]?.trim() === "ARGUMENTS")
    .flatMap((i) => childRows(rows, i));
  return list.flatMap((i) => childRows(rows, i));
}

/**
 * The same bound as in the parse tree, after the analyzer folded constants: an argument that became a
 * constant array of few elements, or an `array(...)` call of few arguments.
 */
function isWrittenArrayRow(rows: string[], at: number): boolean {
  const line = rows[at]?.trimStart() ?? "";
  if (line.startsWith("CONSTANT ")) {
    const value = /constant_value: (.*), constant_value_type: /s.exec(line)?.[1] ?? "";
    return withinWrittenArrayBound(printedArrayLength(value));
  }
  const name = /^FUNCTION .*?function_name: ([^,]+),/.exec(line)?.[1];
  if (!name || !isArrayConstructor(name)) return false;
  return withinWrittenArrayBound(argumentRows(rows, at).length);
}

/**
 * The second opinion: ClickHouse's analyzer resolves the whole statement we are about to run (our
 * bindings included) and `EXPLAIN QUERY TREE` lists every storage it will read and every function it
 * will call, after CTEs, aliases and subqueries are resolved. Whatever the parse-tree rules may have
 * missed, a read of anything but the allowed tables (or `system.one`, which every SELECT without FROM
 * reads) stops the query here, before it runs.
 */
export function checkQueryTree(rows: string[], allowedStorages: ReadonlySet<string>): void {
  for (const [at, row] of rows.entries()) {
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
      if (isPairwiseArrayFunction(name) && !argumentRows(rows, at).some((arg) => isWrittenArrayRow(rows, arg))) {
        refuse("function", pairwiseArrayRefusal(name));
      }
    }
  }
}
