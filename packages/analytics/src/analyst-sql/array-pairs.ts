/**
 * hasAny and hasAll compare every element of one array with every element of the other inside one call, and
 * ClickHouse checks the time limit only between blocks: `hasAny(range(100000), range(100000, 200000))` ran
 * 17 s against a 1 s limit, and inside `EXPLAIN QUERY TREE` too, which folds constant calls while it checks.
 * `hasAny(tags, ['vegan'])` is how a tag filter is written, so they are not refused by name: one side must be
 * an array written out in the query, whose length the query's own text bounds. The other side's length is
 * bounded only by memory; a thousand written elements cost what a thousand `has()` calls on it cost, which the
 * SQL length limit allows anyway.
 */
const pairwiseArrayNames = new Set(["hasany", "hasall"]);

export const maxWrittenArrayElements = 1000;

export const isPairwiseArrayFunction = (name: string) => pairwiseArrayNames.has(name.toLowerCase());

export const isArrayConstructor = (name: string) => name.toLowerCase() === "array";

export const pairwiseArrayRefusal = (name: string) =>
  `${name}() compares every element of one array with every element of the other, past the time limit: ` +
  `write one side out as an array of at most ${maxWrittenArrayElements} elements, e.g. ${name}(tags, ['vegan'])`;

/**
 * The number of elements of an array constant as ClickHouse's trees print it (`Array_['a', Array_[UInt64_1]]`),
 * or null for anything else. Strings are single-quoted with backslash escapes there, so a comma or a bracket
 * inside one is skipped.
 */
export function printedArrayLength(value: string): number | null {
  const match = /^Array_\[(.*)\]$/s.exec(value);
  if (!match) return null;
  const inner = match[1] ?? "";
  if (inner.trim() === "") return 0;
  let depth = 0;
  let quoted = false;
  let count = 1;
  for (let i = 0; i < inner.length; i++) {
    const ch = inner[i];
    if (quoted) {
      if (ch === "\\") i++;
      else if (ch === "'") quoted = false;
    } else if (ch === "'") quoted = true;
    else if (ch === "[" || ch === "(" || ch === "{") depth++;
    else if (ch === "]" || ch === ")" || ch === "}") depth--;
    else if (ch === "," && depth === 0) count++;
  }
  return count;
}

export const withinWrittenArrayBound = (length: number | null): boolean =>
  length !== null && length <= maxWrittenArrayElements;
