import { type Db, Prisma } from "@regulars/db";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { refusedAsData } from "../src/transactions/dead-letters.ts";

/**
 * A dead-lettered message's rejection that Postgres refuses as data is given up so the partition moves on
 * (`skipDeadLettered`); any other error must fail the batch, or a bug would silently drop rejections.
 */
let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

/** The error Postgres raises for `sql`. */
const errorOf = (sql: Prisma.Sql) =>
  db.$queryRaw(sql).then(
    () => expect.unreachable(),
    (e: unknown) => e,
  );

describe("an error recording a dead-lettered message's rejection", () => {
  it("is the message's data refused when Postgres cannot store its text or key it", async () => {
    expect(refusedAsData(await errorOf(Prisma.sql`SELECT ${"tenant\u0000id"}::text`))).toBe(true);
    expect(refusedAsData(await errorOf(Prisma.sql`SELECT '"\\u0000"'::jsonb`))).toBe(true);
    expect(refusedAsData(await errorOf(Prisma.sql`SELECT length(repeat('xx', 1073741824))`))).toBe(true);
  });

  it("is not, for any other error of the same SQLSTATE classes: a bug fails the batch", async () => {
    expect(refusedAsData(await errorOf(Prisma.sql`SELECT 1 / 0`))).toBe(false);
    expect(refusedAsData(await errorOf(Prisma.sql`SELECT 'not a number'::int`))).toBe(false);
    const tooManyArguments = Prisma.raw(`SELECT concat(${Array.from({ length: 101 }, (_, i) => i).join(", ")})`);
    expect(refusedAsData(await errorOf(tooManyArguments))).toBe(false);
  });
});
