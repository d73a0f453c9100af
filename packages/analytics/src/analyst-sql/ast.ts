import {
  isArrayConstructor,
  isPairwiseArrayFunction,
  pairwiseArrayRefusal,
  printedArrayLength,
  withinWrittenArrayBound,
} from "./array-pairs.ts";
import { deniedFunction, membershipFunctions } from "./functions.ts";
import { refuse } from "./refusal.ts";
import { plainName } from "./tables.ts";

/**
 * One node of ClickHouse's own parse tree, read from `EXPLAIN AST`: one output row per node, indented
 * one space per level, `<Type> <payload> (alias <a>) (children <n>)`. The payload is printed unquoted,
 * which is why the validator refuses the two suffixes inside names before it gets here (rule
 * `reserved_text`): with them gone, every row reads one way only.
 */
export interface AstNode {
  type: string;
  payload: string;
  children: AstNode[];
}

const rowPattern = /^( *)(\S+)(.*)$/s;
const suffixes = /^(.*?)(?: \(alias .*?\))?(?: \(children \d+\))?$/s;

export function parseAstDump(rows: string[]): AstNode {
  const stack: AstNode[] = [];
  let root: AstNode | null = null;
  for (const row of rows) {
    const match = rowPattern.exec(row);
    if (!match) refuse("unsupported_syntax", "the parse tree could not be read");
    const [, indent = "", type = "", rest = ""] = match;
    const depth = indent.length;
    const node: AstNode = { type, payload: (suffixes.exec(rest)?.[1] ?? "").trimStart(), children: [] };
    if (depth === 0) {
      if (root) refuse("multiple_statements", "send one SELECT");
      root = node;
    } else {
      const parent = stack[depth - 1];
      if (!parent) refuse("unsupported_syntax", "the parse tree could not be read");
      parent.children.push(node);
    }
    stack.length = depth;
    stack.push(node);
  }
  if (!root) refuse("empty", "there is no query");
  return root;
}

/**
 * Node types a SELECT is made of. Anything else (a new syntax, an INSERT inside something) is refused.
 * Only nodes whose whole content the dump shows (as payload or children) belong here: the dump prints
 * `ColumnsApplyTransformer` (`* APPLY(f)`, `* APPLY(x -> ...)`) bare, so the function it calls would
 * never reach the checks, and it is refused (see hiddenContent). COLUMNS('regexp') hides only its
 * pattern, a string literal matched against column names.
 */
const selectNodeTypes = new Set([
  "SelectWithUnionQuery",
  "SelectIntersectExceptQuery",
  "SelectQuery",
  "ExpressionList",
  "Identifier",
  "TableIdentifier",
  "Literal",
  "Function",
  "Asterisk",
  "QualifiedAsterisk",
  "ColumnsRegexpMatcher",
  "ColumnsListMatcher",
  "QualifiedColumnsRegexpMatcher",
  "QualifiedColumnsListMatcher",
  "ColumnsTransformerList",
  "ColumnsExceptTransformer",
  "ColumnsReplaceTransformer",
  "ColumnsReplaceTransformer::Replacement",
  "TablesInSelectQuery",
  "TablesInSelectQueryElement",
  "TableExpression",
  "TableJoin",
  "ArrayJoin",
  "Subquery",
  "WithElement",
  "OrderByElement",
  "InterpolateElement",
  "WindowListElement",
  "WindowDefinition",
]);

const firstWord = (payload: string) => payload.split(" ")[0] ?? "";

interface Walk {
  tables: Set<string>;
  /** The allowed tables, named in refusals. */
  hint: string;
}

function checkTableExpression(node: AstNode, { tables, hint }: Walk): void {
  for (const child of node.children) {
    if (child.type === "Function") {
      refuse("table_function", `${firstWord(child.payload)}() is a table function; read only from ${hint}`);
    } else if (child.type === "TableIdentifier") {
      const name = child.payload;
      if (name.includes(".")) refuse("qualified_table", `${name} names a database or a dotted table; use ${hint}`);
      if (!plainName.test(name)) refuse("table_name", `table names are plain names such as ${hint}`);
      tables.add(name);
    } else if (child.type !== "Subquery") {
      refuse("unsupported_syntax", `${child.type} in FROM`);
    }
  }
}

/** An array written out in the query, within the bound: a literal (`['a', 'b']`) or `array(...)`/`[x, 'b']`. */
function isWrittenArray(node: AstNode): boolean {
  if (node.type === "Literal") return withinWrittenArrayBound(printedArrayLength(node.payload));
  if (node.type !== "Function" || !isArrayConstructor(firstWord(node.payload))) return false;
  return withinWrittenArrayBound(node.children[0]?.children.length ?? 0);
}

/** Nodes of an allowed type that the dump prints without what they hold: nothing there could be checked. */
function hiddenContent(node: AstNode): string | undefined {
  if (node.type === "ColumnsApplyTransformer") return "APPLY is not accepted; call the function on the columns by name";
  // `* EXCEPT (a, b)` lists its names as children; `* EXCEPT ('regexp')` prints nothing.
  if (node.type === "ColumnsExceptTransformer" && node.children.length === 0) {
    return "EXCEPT takes a list of column names, not a pattern";
  }
  return undefined;
}

function walk(node: AstNode, state: Walk): void {
  const hidden = hiddenContent(node);
  if (hidden) refuse("unsupported_syntax", hidden);
  if (node.type === "Set") refuse("settings", "SETTINGS are chosen by the platform, not in the query");
  if (node.type === "QueryParameter") refuse("query_parameter", "query parameters ({name:Type}) are not accepted");
  if (!selectNodeTypes.has(node.type)) refuse("unsupported_syntax", `${node.type} is not part of a SELECT we run`);
  if (node.type === "TableExpression") checkTableExpression(node, state);
  if (node.type === "Function") {
    const name = firstWord(node.payload);
    const denied = deniedFunction(name);
    if (denied) refuse("function", denied);
    const args = node.children[0]?.children ?? [];
    if (membershipFunctions.has(name.toLowerCase()) && args[1]?.type === "Identifier") {
      refuse("in_table", "IN takes a subquery or a list on its right, not a table name");
    }
    if (isPairwiseArrayFunction(name) && !args.some(isWrittenArray)) refuse("function", pairwiseArrayRefusal(name));
  }
  for (const child of node.children) walk(child, state);
}

/**
 * Checks the parse tree of one analyst query against the rules and returns the plain table names it
 * mentions (allowed ones and, possibly, the analyst's own CTE names: the caller binds them all).
 * `formatIdentifier` is the FORMAT the client appended to the EXPLAIN itself, which the tree shows.
 */
export function checkAst(root: AstNode, allowed: readonly string[], formatIdentifier: string): Set<string> {
  if (root.type !== "SelectWithUnionQuery") refuse("not_a_select", `${root.type} is not a SELECT`);
  const [selects, ...clauses] = root.children;
  const last = clauses.at(-1);
  if (last?.type === "Identifier" && last.payload === formatIdentifier) clauses.pop();
  for (const clause of clauses) {
    if (clause.type === "Set") refuse("settings", "SETTINGS are chosen by the platform, not in the query");
    if (clause.type === "Literal" || clause.type === "Identifier") {
      refuse("output_options", "FORMAT and INTO OUTFILE are not accepted; the API returns rows as JSON");
    }
    refuse("unsupported_syntax", `${clause.type} after the query`);
  }
  if (selects?.type !== "ExpressionList") refuse("not_a_select", "there is no SELECT");
  const state: Walk = { tables: new Set(), hint: allowed.join(", ") };
  walk(selects, state);
  return state.tables;
}
