import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import {
  clusterDirOf,
  type EmbeddedPostgres,
  removeEmbeddedPostgresCluster,
  startEmbeddedPostgres,
} from "../src/index.ts";
import { postgresBinaries } from "../src/postgres/binaries.ts";
import { findFreePort } from "./free-port.ts";
import { makeTempDir } from "./temp-dir.ts";

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

async function canConnect(url: string): Promise<boolean> {
  return query(url, "select 1").then(
    () => true,
    () => false,
  );
}

// The first initdb takes seconds; generous limits, no timing assertions.
describe("startEmbeddedPostgres", { timeout: 120_000 }, () => {
  const temps: Array<{ remove(): void }> = [];
  const started: EmbeddedPostgres[] = [];
  const start = async (opts: Parameters<typeof startEmbeddedPostgres>[0]) => {
    const instance = await startEmbeddedPostgres(opts);
    started.push(instance);
    return instance;
  };
  const dataDirs: string[] = [];
  const tempDir = () => {
    const temp = makeTempDir("regulars-embedded-pg-");
    temps.push(temp);
    dataDirs.push(temp.path);
    return temp.path;
  };

  afterAll(async () => {
    for (const instance of started.reverse()) await instance.stop();
    for (const dataDir of dataDirs) removeEmbeddedPostgresCluster(dataDir);
    for (const temp of temps) temp.remove();
  }, 60_000);

  it("starts, is reused by a second caller, and keeps data across a restart", async () => {
    const dataDir = tempDir();
    const port = await findFreePort();

    const first = await start({ dataDir, port });
    expect(first.startedHere).toBe(true);
    expect(first.url).toBe(`postgresql://regulars:regulars@127.0.0.1:${port}/regulars`);
    expect(await query(first.url, "select 1 as one")).toEqual([{ one: 1 }]);
    await query(first.url, "create table kept (id int primary key); insert into kept values (42)");

    const record = JSON.parse(readFileSync(path.join(dataDir, "postgres.json"), "utf8"));
    expect(record).toEqual({ port, pid: expect.any(Number), url: first.url });
    expect(statSync(path.join(dataDir, "postgres.json")).mode & 0o777).toBe(0o600); // it holds the password

    const second = await start({ dataDir, port });
    expect(second.startedHere).toBe(false);
    expect(second.url).toBe(first.url);
    await second.stop();
    expect(await canConnect(first.url)).toBe(true); // stopping a reused instance leaves it running

    await first.stop();
    expect(await canConnect(first.url)).toBe(false);
    expect(existsSync(path.join(dataDir, "postgres.json"))).toBe(false);

    // A record left by a process that died must not be trusted.
    writeFileSync(path.join(dataDir, "postgres.json"), JSON.stringify({ ...record, pid: 2 ** 22 + 1 }));
    const restarted = await start({ dataDir, port });
    expect(restarted.startedHere).toBe(true);
    expect(await query(restarted.url, "select id from kept")).toEqual([{ id: 42 }]);
    await restarted.stop();
  });

  it.runIf(process.getuid?.() === 0)(
    "as root, starts from a private folder without loosening any folder above it",
    async () => {
      // A data folder three levels inside a fresh mkdtemp tree (mode 700), as CI's checkouts are.
      const top = tempDir();
      const dataDir = path.join(top, "checkout", "nested", ".data");
      mkdirSync(dataDir, { recursive: true });
      dataDirs.push(dataDir);
      const ancestors = (start: string) => {
        const dirs: string[] = [];
        for (let dir = path.resolve(start); ; dir = path.dirname(dir)) {
          dirs.push(dir);
          if (dir === path.dirname(dir)) return dirs;
        }
      };
      const watched = [...ancestors(dataDir), ...ancestors(postgresBinaries().nativeDir)];
      const modesBefore = new Map(watched.map((dir) => [dir, statSync(dir).mode]));
      expect(statSync(top).mode & 0o777).toBe(0o700);

      const port = await findFreePort();
      const pg = await start({ dataDir, port });
      expect(pg.startedHere).toBe(true);
      expect(await query(pg.url, "select 1 as one")).toEqual([{ one: 1 }]);
      for (const [dir, mode] of modesBefore) expect({ dir, mode: statSync(dir).mode }).toEqual({ dir, mode });

      // The cluster lives where the postgres user can reach it, owned by that user; the data folder says where.
      const clusterDir = clusterDirOf(dataDir);
      expect(clusterDir.startsWith(dataDir)).toBe(false);
      expect(statSync(clusterDir).uid).not.toBe(0);
      expect(JSON.parse(readFileSync(path.join(dataDir, "postgres-location.json"), "utf8"))).toMatchObject({
        clusterDir,
      });
      await pg.stop();
    },
  );

  it("starts one Postgres when two callers race on a fresh folder", async () => {
    const dataDir = tempDir();
    const port = await findFreePort();

    const racers = await Promise.all([start({ dataDir, port }), start({ dataDir, port })]);
    expect(racers.map((r) => r.startedHere).sort()).toEqual([false, true]);
    for (const racer of racers) expect(await canConnect(racer.url)).toBe(true);
    for (const racer of racers) await racer.stop();
  });

  it("explains a port taken by another program, names the setting to change and leaves no cluster behind", async () => {
    const dataDir = tempDir();
    const busy = await import("node:net").then(({ createServer }) => createServer());
    const port = await findFreePort();
    await new Promise<void>((resolve) => busy.listen(port, "127.0.0.1", resolve));
    try {
      const failure = start({ dataDir, port });
      await expect(failure).rejects.toThrow(`port ${port} is already in use`);
      await expect(failure).rejects.toThrow("Set EMBEDDED_POSTGRES_PORT to a free port");
      // Refused before initdb: a retry on another port starts clean, and nothing is left to clean up.
      expect(existsSync(clusterDirOf(dataDir))).toBe(false);
      expect(existsSync(path.join(dataDir, "postgres-location.json"))).toBe(false);
    } finally {
      await new Promise<void>((resolve) => busy.close(() => resolve()));
    }
  });
});
