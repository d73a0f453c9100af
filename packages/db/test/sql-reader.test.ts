import { type AddressInfo, createServer } from "node:net";
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

  it("plans a statement once for any values when asked to, though it reads an array of keys", async () => {
    /** Generic and custom plans of 12 executions of a look-up of 3 keys in a table of many rows. */
    const plansOf = async (planOnce: boolean) => {
      const single = createPoolReader({ url: testDatabaseUrl(), poolSize: 1, planOnce });
      try {
        await single.rows(Prisma.sql`CREATE TEMP TABLE receipts_like (tenant_id text, external_id text,
          PRIMARY KEY (tenant_id, external_id))`);
        await single.rows(Prisma.sql`INSERT INTO receipts_like
          SELECT 'ten_1', 'ext-' || g FROM generate_series(1, 20000) AS g`);
        await single.rows(Prisma.sql`ANALYZE receipts_like`);
        const lookUp = (ids: string[]) => Prisma.sql`
          SELECT r.external_id FROM unnest(${ids}::text[]) AS a(id)
          JOIN receipts_like r ON r.tenant_id = 'ten_1' AND r.external_id = a.id`;
        for (let i = 0; i < 12; i++) await single.rows(lookUp([`ext-${i}`, `new-${i}`, `new-${i + 1}`]));
        const [plans] = await single.rows<{ generic_plans: string; custom_plans: string }>(Prisma.sql`
          SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE statement LIKE '%JOIN receipts_like r%'`);
        return { generic: Number(plans!.generic_plans), custom: Number(plans!.custom_plans) };
      } finally {
        await single.close();
      }
    };
    // Postgres's default plans each execution for its array's length (3), cheaper-looking than one plan for any (10).
    expect(await plansOf(false)).toEqual({ generic: 0, custom: 12 });
    expect(await plansOf(true)).toEqual({ generic: 12, custom: 0 });
  });

  it("commits without waiting for the disk only when asked to, and keeps the plan cache mode beside it", async () => {
    const settingsOf = async (opts: { asyncCommit?: boolean; planOnce?: boolean }) => {
      const single = createPoolReader({ url: testDatabaseUrl(), poolSize: 1, ...opts });
      try {
        const [row] = await single.rows<{ commit: string; plans: string }>(Prisma.sql`
          SELECT current_setting('synchronous_commit') AS commit, current_setting('plan_cache_mode') AS plans`);
        return row;
      } finally {
        await single.close();
      }
    };
    expect(await settingsOf({})).toEqual({ commit: "on", plans: "auto" });
    expect(await settingsOf({ asyncCommit: true })).toEqual({ commit: "off", plans: "auto" });
    expect(await settingsOf({ asyncCommit: true, planOnce: true })).toEqual({
      commit: "off",
      plans: "force_generic_plan",
    });
  });

  it("runs one statement with many value sets at once, and reports SQL errors with their SQLSTATE", async () => {
    const rows = await Promise.all(
      ["a", "b", "c", "d", "e"].map((c) => pool.rows<Row>(statement([c], c)).then(([r]) => r!.missing)),
    );
    expect(rows).toEqual(["a", "b", "c", "d", "e"]);
    await expect(pool.rows(Prisma.sql`SELECT * FROM no_such_table_here`)).rejects.toMatchObject({ code: "42P01" });
  });

  it("has Postgres cancel a statement that runs past its bound, and gives up on a server that takes no connection", async () => {
    const bounded = createPoolReader({ url: testDatabaseUrl(), poolSize: 1, statementTimeoutMs: 100 });
    // A server that takes the TCP connection and never answers: Postgres hung.
    const silent = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const { port } = silent.address() as AddressInfo;
    const nowhere = createPoolReader({ url: `postgresql://postgres@127.0.0.1:${port}/none`, connectionTimeoutMs: 100 });
    try {
      // 57014 query_canceled: the connection is free again for the next request.
      await expect(bounded.rows(Prisma.sql`SELECT pg_sleep(30)`)).rejects.toMatchObject({ code: "57014" });
      expect(await bounded.rows<{ one: number }>(Prisma.sql`SELECT 1 AS one`)).toEqual([{ one: 1 }]);
      await expect(nowhere.rows(Prisma.sql`SELECT 1`)).rejects.toThrow();
    } finally {
      await bounded.close();
      await nowhere.close();
      silent.close();
    }
  });

  it("answers, once warmed, through a busy spell longer than its connect bound, which refuses a cold reader", async () => {
    // The event loop held for longer than the connect bound, as a machine busy starting the process holds it: a
    // connect begun before the spell times out after it, while a connection opened beforehand just answers late.
    const busyFor = (ms: number) => {
      const until = Date.now() + ms;
      while (Date.now() < until) {}
    };
    const cold = createPoolReader({ url: testDatabaseUrl(), poolSize: 1, connectionTimeoutMs: 200 });
    const warmed = createPoolReader({ url: testDatabaseUrl(), poolSize: 2, connectionTimeoutMs: 200 });
    try {
      await warmed.warm();
      const viaCold = cold.rows(Prisma.sql`SELECT 1 AS one`);
      const viaWarmed = Promise.all([1, 2].map(() => warmed.rows<{ one: number }>(Prisma.sql`SELECT 1 AS one`)));
      busyFor(600);
      await expect(viaCold).rejects.toThrow(/timeout/);
      expect(await viaWarmed).toEqual([[{ one: 1 }], [{ one: 1 }]]);
    } finally {
      await cold.close();
      await warmed.close();
    }
  });

  it("rejects a warm-up that cannot connect, so its caller can say so", async () => {
    const nowhere = createPoolReader({ url: "postgresql://postgres@127.0.0.1:1/none", connectionTimeoutMs: 200 });
    try {
      await expect(nowhere.warm()).rejects.toThrow();
    } finally {
      await nowhere.close();
    }
  });
});
