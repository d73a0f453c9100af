import { testDatabaseUrl } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createDb,
  createPoolReader,
  type Db,
  exactNumber,
  type PoolReader,
  Prisma,
  prismaReader,
} from "../src/index.ts";

let db: Db;
let pool: PoolReader;

beforeAll(() => {
  db = createDb({ url: testDatabaseUrl(), poolSize: 2 });
  pool = createPoolReader({ url: testDatabaseUrl(), poolSize: 2 });
});

afterAll(async () => {
  await db?.$disconnect();
  await pool?.close();
});

interface Row {
  big: bigint | string;
  tags: string[];
  missing: string | null;
  doc: { n: number; codes: string[] };
}

/** Arrays, nulls, int8 and json through both readers: what hot read paths rely on. */
const statement = (codes: string[], missing: string | null) => Prisma.sql`
  SELECT 9007199254740991::int8 AS big,
         ARRAY(SELECT c || '!' FROM unnest(${codes}::text[]) AS t(c)) AS tags,
         ${missing}::text AS missing,
         json_build_object('n', 2, 'codes', ${codes}::text[]) AS doc`;

describe("SQL readers", () => {
  it("give the same rows through pg as through Prisma (int8 as string or bigint, read with exactNumber)", async () => {
    const codes = ["A-1", "O'Brien", "x,y"];
    const [viaPrisma] = await prismaReader(db).rows<Row>(statement(codes, null));
    const [viaPool] = await pool.rows<Row>(statement(codes, null));
    for (const row of [viaPrisma!, viaPool!]) {
      expect(exactNumber(row.big)).toBe(Number.MAX_SAFE_INTEGER);
      expect(row.tags).toEqual(["A-1!", "O'Brien!", "x,y!"]);
      expect(row.missing).toBeNull();
      expect(row.doc).toEqual({ n: 2, codes });
    }
  });

  it("runs one statement with many value sets at once, and reports SQL errors with their SQLSTATE", async () => {
    const rows = await Promise.all(
      ["a", "b", "c", "d", "e"].map((c) => pool.rows<Row>(statement([c], c)).then(([r]) => r!.missing)),
    );
    expect(rows).toEqual(["a", "b", "c", "d", "e"]);
    await expect(pool.rows(Prisma.sql`SELECT * FROM no_such_table_here`)).rejects.toMatchObject({ code: "42P01" });
  });
});
