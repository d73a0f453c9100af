import { startTcpProxy, type TcpProxy, testDatabaseUrl } from "@regulars/testing";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createDb,
  type Db,
  isDbUnreachable,
  isServerStateDbError,
  isTransientDbError,
  withTransaction,
} from "../src/index.ts";
import { uniqueId } from "./fixtures.ts";

// Real failures, not constructed error objects: Postgres behind a TCP proxy that refuses and resets,
// real conflicts between two sessions, and real refusals from the server.

let proxy: TcpProxy;
let db: Db;
let direct: Db;

const caught = async (work: Promise<unknown>): Promise<unknown> => {
  try {
    await work;
  } catch (e) {
    return e;
  }
  throw new Error("expected this to fail");
};

beforeAll(async () => {
  const target = new URL(testDatabaseUrl());
  proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
  db = createDb({ url: proxy.url(testDatabaseUrl()), poolSize: 2 });
  direct = createDb({ url: testDatabaseUrl(), poolSize: 3 });
});
afterAll(async () => {
  await db?.$disconnect();
  await direct?.$disconnect();
  await proxy?.close();
});

describe("isTransientDbError", () => {
  it("recognises a connection lost mid-transaction, a refused connection and a server-side termination", async () => {
    await db.$queryRaw`SELECT 1`;
    setTimeout(() => proxy.cut(), 200);
    const cutMidQuery = await caught(withTransaction(db, (tx) => tx.$executeRaw`SELECT pg_sleep(2)`));
    await proxy.refuse();
    const refused = await caught(db.$queryRaw`SELECT 1`);
    const refusedTx = await caught(withTransaction(db, (tx) => tx.$queryRaw`SELECT 1`));
    await proxy.restore();

    // 57P01: an administrator (or a failover) terminated the backend.
    const victim = new pg.Client({ connectionString: testDatabaseUrl() });
    await victim.connect();
    victim.on("error", () => {});
    const { pid } = (await victim.query("SELECT pg_backend_pid() AS pid")).rows[0] as { pid: number };
    await direct.$queryRaw`SELECT pg_terminate_backend(${pid}::int)`;
    const terminated = await caught(victim.query("SELECT 1"));

    for (const [name, e] of Object.entries({ cutMidQuery, refused, refusedTx, terminated })) {
      expect(isTransientDbError(e), `${name}: ${String(e)}`).toBe(true);
      // An outage: "unavailable, retry later", and a scheduled pass stops at it.
      expect(isDbUnreachable(e), `${name}: ${String(e)}`).toBe(true);
    }
  });

  it("recognises too many connections, a statement timeout, a serialization failure and a deadlock", async () => {
    const role = uniqueId("nobody");
    await direct.$executeRawUnsafe(`CREATE ROLE ${role} LOGIN CONNECTION LIMIT 0`);
    const url = new URL(testDatabaseUrl());
    url.username = role;
    const limited = new pg.Client({ connectionString: url.toString() });
    const tooMany = await caught(limited.connect());
    await direct.$executeRawUnsafe(`DROP ROLE ${role}`);

    const timedOut = await caught(
      direct.$transaction(async (tx) => {
        await tx.$executeRaw`SET LOCAL statement_timeout = 50`;
        await tx.$executeRaw`SELECT pg_sleep(1)`;
      }),
    );

    // In a schema of its own: the schema test compares the public tables with the models, maybe at this moment.
    const scratch = uniqueId("conflict");
    const table = `${scratch}.t`;
    await direct.$executeRawUnsafe(`CREATE SCHEMA ${scratch}`);
    await direct.$executeRawUnsafe(`CREATE TABLE ${table} (id int PRIMARY KEY, n int)`);
    await direct.$executeRawUnsafe(`INSERT INTO ${table} VALUES (1, 0), (2, 0)`);
    const a = new pg.Client({ connectionString: testDatabaseUrl() });
    const b = new pg.Client({ connectionString: testDatabaseUrl() });
    await Promise.all([a.connect(), b.connect()]);
    await a.query("BEGIN ISOLATION LEVEL SERIALIZABLE");
    await b.query("BEGIN ISOLATION LEVEL SERIALIZABLE");
    await a.query(`SELECT sum(n) FROM ${table}`);
    await b.query(`SELECT sum(n) FROM ${table}`);
    await a.query(`UPDATE ${table} SET n = 1 WHERE id = 1`);
    await b.query(`UPDATE ${table} SET n = 1 WHERE id = 2`);
    await a.query("COMMIT");
    const serialization = await caught(b.query("COMMIT"));

    await a.query("BEGIN");
    await b.query("BEGIN");
    await a.query(`UPDATE ${table} SET n = 2 WHERE id = 1`);
    await b.query(`UPDATE ${table} SET n = 2 WHERE id = 2`);
    const waiting = a.query(`UPDATE ${table} SET n = 3 WHERE id = 2`).catch((e: unknown) => e);
    const deadlockB = await b.query(`UPDATE ${table} SET n = 3 WHERE id = 1`).catch((e: unknown) => e);
    const deadlockA = await waiting;
    const deadlock = [deadlockA, deadlockB].find((e) => (e as { code?: string })?.code === "40P01");
    await Promise.all([a.query("ROLLBACK"), b.query("ROLLBACK")]);
    await Promise.all([a.end(), b.end()]);
    await direct.$executeRawUnsafe(`DROP SCHEMA ${scratch} CASCADE`);

    expect((tooMany as { code?: string }).code).toBe("53300");
    expect((serialization as { code?: string }).code).toBe("40001");
    expect(deadlock).toBeDefined();
    for (const [name, e] of Object.entries({ tooMany, timedOut, serialization, deadlock }))
      expect(isTransientDbError(e), `${name}: ${String(e)}`).toBe(true);
    // The server answered these: a slow statement or a conflict is the work's own, not Postgres out of reach.
    expect(isDbUnreachable(tooMany)).toBe(true);
    for (const [name, e] of Object.entries({ timedOut, serialization, deadlock }))
      expect(isDbUnreachable(e), `${name}: ${String(e)}`).toBe(false);
  });

  it("recognises a server refusing writes because of its own state, which SELECT 1 does not show", async () => {
    // 25006 as a standby (or the old primary after a failover) answers every write, through Prisma and pg.
    const readOnlyPrisma = await caught(
      direct.$transaction(async (tx) => {
        await tx.$executeRaw`SET TRANSACTION READ ONLY`;
        await tx.$executeRaw`CREATE TEMP TABLE read_only_probe (n int)`;
      }),
    );
    const client = new pg.Client({ connectionString: testDatabaseUrl() });
    await client.connect();
    await client.query("SET default_transaction_read_only = on");
    const readOnlyPg = await caught(client.query("CREATE TEMP TABLE read_only_probe (n int)"));
    expect((await client.query("SELECT 1 AS ok")).rows).toEqual([{ ok: 1 }]);
    await client.end();

    const role = uniqueId("nobody");
    await direct.$executeRawUnsafe(`CREATE ROLE ${role} LOGIN CONNECTION LIMIT 0`);
    const url = new URL(testDatabaseUrl());
    url.username = role;
    const tooMany = await caught(new pg.Client({ connectionString: url.toString() }).connect());
    await direct.$executeRawUnsafe(`DROP ROLE ${role}`);

    expect((readOnlyPg as { code?: string }).code).toBe("25006");
    for (const [name, e] of Object.entries({ readOnlyPrisma, readOnlyPg, tooMany })) {
      expect(isServerStateDbError(e), `${name}: ${String(e)}`).toBe(true);
      expect(isTransientDbError(e), `${name}: ${String(e)}`).toBe(true);
    }
    // Reachable, only refusing writes: an operator looks at the server's role, not the network.
    for (const [name, e] of Object.entries({ readOnlyPrisma, readOnlyPg }))
      expect(isDbUnreachable(e), `${name}: ${String(e)}`).toBe(false);
  });

  it("does not take the statement's own errors for an outage", async () => {
    const tenantId = uniqueId("ten");
    await direct.tenant.create({ data: { id: tenantId, name: "Transient Café", timezone: "UTC", currency: "EUR" } });
    const duplicate = await caught(
      direct.tenant.create({ data: { id: tenantId, name: "Again", timezone: "UTC", currency: "EUR" } }),
    );
    const badCheck = await caught(
      direct.tenant.create({ data: { id: uniqueId("ten"), name: "Lower", timezone: "UTC", currency: "eur" } }),
    );
    const syntax = await caught(direct.$queryRawUnsafe("SELEC 1"));
    const missingTable = await caught(direct.$queryRawUnsafe("SELECT * FROM no_such_table_here"));
    const badCast = await caught(direct.$queryRawUnsafe("SELECT 'x'::int"));
    await direct.tenant.delete({ where: { id: tenantId } });
    for (const [name, e] of Object.entries({
      duplicate,
      badCheck,
      syntax,
      missingTable,
      badCast,
      plain: new Error("boom"),
      nothing: undefined,
    })) {
      expect(isTransientDbError(e), `${name}: ${String(e)}`).toBe(false);
      expect(isServerStateDbError(e), `${name}: ${String(e)}`).toBe(false);
    }
  });
});
