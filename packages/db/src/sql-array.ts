/** What one element of a bulk statement's column can be. */
export type SqlArrayElement = string | number | bigint | boolean | Date | null | undefined;

const needsEscape = /["\\]/;

function element(value: SqlArrayElement): string {
  if (value === null || value === undefined) return "NULL";
  if (typeof value === "string")
    return `"${needsEscape.test(value) ? value.replace(/["\\]/g, (c) => `\\${c}`) : value}"`;
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new RangeError(`${value} has no Postgres array form`);
    return String(value);
  }
  if (typeof value === "bigint") return String(value);
  if (typeof value === "boolean") return value ? "t" : "f";
  if (Number.isNaN(value.getTime())) throw new RangeError("an invalid Date has no Postgres array form");
  return `"${value.toISOString()}"`;
}

/**
 * A column of a bulk statement as one Postgres array literal (`{"a","b",NULL}`), to be passed as a single
 * parameter and cast where it is used: `unnest(${sqlArray(ids)}::text[])`, `${sqlArray(times)}::timestamptz[]`.
 *
 * Why not pass the array itself: Prisma carries every element of an array parameter through its own protocol
 * (a wrapper object per date, JSON out and back, a second mapping) before pg escapes it into this same literal.
 * For the 4,000-row chunks of a broadcast's planning, ten columns each, that was a quarter of the planner's CPU and
 * much of its garbage. Postgres reads the literal exactly as it reads the one pg would have built, so the SQL is
 * unchanged. Dates go as ISO 8601 in UTC; numbers must be finite.
 */
export function sqlArray(values: readonly SqlArrayElement[]): string {
  let out = "{";
  for (let i = 0; i < values.length; i++) out += (i ? "," : "") + element(values[i]);
  return `${out}}`;
}
