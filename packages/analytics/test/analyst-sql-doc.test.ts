import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { analystTables } from "../src/analyst-sql/tables.ts";

/** docs/analyst-sql.md is what analysts read: its table of columns must be what `tables.ts` binds, no more, no less. */
const doc = readFileSync(new URL("../../../docs/analyst-sql.md", import.meta.url), "utf8");

/** The documented columns of a table: its row in the doc's table, each column's name before any explanation. */
function documentedColumns(table: string): string[] {
  const row = doc.split("\n").find((l) => l.startsWith(`| \`${table}\``));
  if (!row) return [];
  const cell = row.split("|")[2]!;
  // Explanations sit in parentheses, which may nest and hold commas of their own: keep only what is outside them.
  let depth = 0;
  let names = "";
  for (const ch of cell) {
    if (ch === "(") depth++;
    else if (ch === ")") depth--;
    else if (depth === 0) names += ch;
  }
  return names
    .split(",")
    .map((c) => c.trim())
    .filter(Boolean);
}

describe("docs/analyst-sql.md", () => {
  it.each(Object.keys(analystTables))("lists every column of %s that analysts may read", (table) => {
    expect(documentedColumns(table)).toEqual([...analystTables[table as keyof typeof analystTables]]);
  });
});
