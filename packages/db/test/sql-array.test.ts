import { testDatabaseUrl } from "@regulars/testing";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, type Db, sqlArray } from "../src/index.ts";

let db: Db;

beforeAll(() => {
  db = createDb({ url: testDatabaseUrl(), poolSize: 2 });
});

afterAll(async () => {
  await db?.$disconnect();
});

/** Text Postgres can store: any string without the NUL character. */
const storableText = fc.string({ unit: "binary", maxLength: 40 }).map((s) => s.replaceAll("\0", ""));

describe("sqlArray", () => {
  it("builds the literal Postgres reads, quoting every string and leaving NULL bare", () => {
    expect(sqlArray(["a", 'say "hi"', "back\\slash", null, "NULL", ""])).toBe(
      '{"a","say \\"hi\\"","back\\\\slash",NULL,"NULL",""}',
    );
    expect(sqlArray([])).toBe("{}");
    expect(sqlArray([1, -2.5, true, false, undefined])).toBe("{1,-2.5,t,f,NULL}");
  });

  it("refuses values with no array form instead of sending something else", () => {
    expect(() => sqlArray([Number.NaN])).toThrow(RangeError);
    expect(() => sqlArray([Number.POSITIVE_INFINITY])).toThrow(RangeError);
    expect(() => sqlArray([new Date(Number.NaN)])).toThrow(RangeError);
  });

  it("round-trips any text through Postgres as text[], element for element, nulls included", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.option(storableText, { nil: null }), { maxLength: 30 }), async (values) => {
        const [row] = await db.$queryRaw<{ back: (string | null)[] }[]>`SELECT ${sqlArray(values)}::text[] AS back`;
        expect(row!.back).toEqual(values);
      }),
      { numRuns: 200 },
    );
  });

  it("round-trips instants, integers and booleans through their Postgres types", async () => {
    const now = Date.now();
    const instants = [new Date(now), new Date(now - 86_400_123), null, new Date(0)];
    const [row] = await db.$queryRaw<{ at: (Date | null)[]; n: number[]; flags: boolean[]; len: number }[]>`
      SELECT ${sqlArray(instants)}::timestamptz[] AS at, ${sqlArray([3, -7, 0])}::int[] AS n,
        ${sqlArray([true, false])}::boolean[] AS flags,
        (SELECT count(*)::int FROM unnest(${sqlArray(["x", "y", null])}::text[])) AS len`;
    expect(row!.at.map((d) => d?.getTime() ?? null)).toEqual(instants.map((d) => d?.getTime() ?? null));
    expect(row!.n).toEqual([3, -7, 0]);
    expect(row!.flags).toEqual([true, false]);
    expect(row!.len).toBe(3);
  });

  it("writes bigints (account ids read back from Postgres) exactly, beyond 2^53 too", async () => {
    const big = [2n ** 62n + 1n, -(2n ** 53n) - 3n, 0n];
    const [row] = await db.$queryRaw<{ texts: string[] }[]>`
      SELECT array_agg(x::text ORDER BY ord) AS texts FROM unnest(${sqlArray(big)}::bigint[]) WITH ORDINALITY AS t(x, ord)`;
    expect(row!.texts).toEqual(big.map(String));
  });
});
