import { testDatabaseUrl } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, createPgTransactionRunner, type Db, Prisma, type TransactionRunner } from "../src/index.ts";

let db: Db;
let runner: TransactionRunner;
// A schema of its own: a scratch table in `public` would be seen, while it lives, by the test that holds every
// table of the database to its documented owner (they run in parallel).
const schema = `runner_${Date.now().toString(36)}`;
const table = `${schema}.t`;

beforeAll(async () => {
  db = createDb({ url: testDatabaseUrl(), poolSize: 2 });
  runner = createPgTransactionRunner({ url: testDatabaseUrl(), poolSize: 2 });
  await db.$executeRawUnsafe(`CREATE SCHEMA ${schema}`);
  await db.$executeRawUnsafe(`CREATE TABLE ${table} (id text PRIMARY KEY, n bigint NOT NULL)`);
});

afterAll(async () => {
  await db?.$executeRawUnsafe(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await db?.$disconnect();
  await runner?.close();
});

/** Every type the ledger's statements read back, in one row. */
const everyType = (codes: string[]) => Prisma.sql`
  SELECT 9007199254740993::int8 AS big, 42::int4 AS small, 12.50::numeric AS money, sum(x)::numeric AS total,
         DATE '2026-03-29' AS day, TIMESTAMP '2026-03-29 01:30:00' AS naive,
         TIMESTAMPTZ '2026-03-29 01:30:00+02' AS instant, ARRAY[1, 2]::int8[] AS bigs,
         ${codes}::text[] AS codes, jsonb_build_object('a', 1) AS doc, true AS yes, NULL::text AS none
  FROM unnest(ARRAY[1, 2]) AS t(x)`;

describe("the pg transaction runner", () => {
  it("reads every type as Prisma's raw queries do, by tagged template and by built statement", async () => {
    const codes = ["A-1", "O'Brien", "x,y"];
    const [viaPrisma] = await db.$queryRaw<Record<string, unknown>[]>(everyType(codes));
    const [viaPg, viaTemplate] = await runner.run(async (tx) => [
      ...(await tx.$queryRaw<Record<string, unknown>[]>(everyType(codes))),
      ...(await tx.$queryRaw<Record<string, unknown>[]>`SELECT ${"x"}::text AS x, ${7}::int8 AS seven`),
    ]);
    expect(viaPg).toEqual(viaPrisma);
    expect(viaPg!.big).toBe(9007199254740993n); // past 2^53: exact
    expect(String(viaPg!.money)).toBe(String(viaPrisma!.money));
    expect((viaPg!.day as Date).toISOString()).toBe("2026-03-29T00:00:00.000Z");
    expect((viaPg!.naive as Date).toISOString()).toBe("2026-03-29T01:30:00.000Z");
    expect(viaTemplate).toEqual({ x: "x", seven: 7n });
  });

  it("commits what the function wrote, and rolls all of it back when the function throws", async () => {
    const written = await runner.run(
      async (tx) => tx.$executeRaw`INSERT INTO ${Prisma.raw(table)} (id, n) VALUES ('kept', 1), ('also', 2)`,
    );
    expect(written).toBe(2);
    await expect(
      runner.run(async (tx) => {
        await tx.$executeRawUnsafe(`INSERT INTO ${table} (id, n) VALUES ($1, $2)`, "lost", 3n);
        throw new Error("changed my mind");
      }),
    ).rejects.toThrow("changed my mind");
    const ids = await db.$queryRawUnsafe<{ id: string }[]>(`SELECT id FROM ${table} ORDER BY id`);
    expect(ids.map((r) => r.id)).toEqual(["also", "kept"]);
  });

  it("runs the function again after a serialization failure, and passes other errors on with their SQLSTATE", async () => {
    let attempts = 0;
    const result = await runner.run(async (tx) => {
      attempts++;
      await tx.$executeRawUnsafe(`INSERT INTO ${table} (id, n) VALUES ($1, $2)`, `retry-${attempts}`, attempts);
      if (attempts === 1) throw Object.assign(new Error("could not serialize access"), { code: "40001" });
      return "second time";
    });
    expect(result).toBe("second time");
    const ids = await db.$queryRawUnsafe<{ id: string }[]>(`SELECT id FROM ${table} WHERE id LIKE 'retry-%'`);
    expect(ids.map((r) => r.id)).toEqual(["retry-2"]); // the first attempt rolled back
    await expect(runner.run((tx) => tx.$queryRaw`SELECT * FROM no_such_table_here`)).rejects.toMatchObject({
      code: "42P01",
    });
  });

  it("ends a session left idle inside its transaction, so a stalled process cannot hold locks for long", async () => {
    const [row] = await runner.run(
      (tx) => tx.$queryRaw<{ idle_in_transaction_session_timeout: string }[]>`SHOW idle_in_transaction_session_timeout`,
    );
    expect(row).toEqual({ idle_in_transaction_session_timeout: "1min" });
  });

  it("survives its connection being cut mid-transaction: the statement fails, the next transaction runs", async () => {
    const cut = runner.run(async (tx) => {
      const [row] = await tx.$queryRaw<{ pid: number }[]>`SELECT pg_backend_pid() AS pid`;
      await db.$queryRaw`SELECT pg_terminate_backend(${row!.pid}::int)`;
      await tx.$queryRaw`SELECT 1`;
    });
    await expect(cut).rejects.toThrow();
    const [row] = await runner.run((tx) => tx.$queryRaw<{ ok: number }[]>`SELECT 1::int AS ok`);
    expect(row).toEqual({ ok: 1 });
  });

  it("keeps no connection busy after a failure", async () => {
    for (let i = 0; i < 3; i++) await expect(runner.run((tx) => tx.$executeRaw`SELECT 1/0`)).rejects.toThrow();
    // Both pooled connections came back: two transactions holding a row lock each at once still run.
    const both = await Promise.all(
      ["kept", "also"].map((id) =>
        runner.run((tx) =>
          tx.$queryRawUnsafe<{ id: string }[]>(`SELECT id FROM ${table} WHERE id = $1 FOR UPDATE`, id),
        ),
      ),
    );
    expect(both.map((rows) => rows[0]!.id)).toEqual(["kept", "also"]);
  });
});
