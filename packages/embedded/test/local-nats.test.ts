import { existsSync, statSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ensureLocalNats, findRunningNats, type LocalNats, startLocalNats } from "../src/index.ts";
import { probeNats } from "../src/nats/probe-nats.ts";
import { findFreePort } from "./free-port.ts";
import { makeTempDir } from "./temp-dir.ts";

describe("ensureLocalNats", { timeout: 60_000 }, () => {
  const temp = makeTempDir("regulars-embedded-nats-");
  const started: LocalNats[] = [];
  const ensure = async (opts: Parameters<typeof ensureLocalNats>[0]) => {
    const nats = await ensureLocalNats(opts);
    started.push(nats);
    return nats;
  };

  afterAll(async () => {
    for (const nats of started.reverse()) await nats.stop();
    temp.remove();
  }, 30_000);

  it("spawns nats-server with JetStream on a free port, is reused, and stops", async () => {
    const dataDir = path.join(temp.path, "spawn");
    const port = await findFreePort();

    const nats = await ensure({ dataDir, port });
    expect(nats.startedHere).toBe(true);
    expect(nats.url).toBe(`nats://127.0.0.1:${port}`);
    expect(await probeNats(port)).toMatchObject({ state: "nats", jetstream: true });
    expect(existsSync(path.join(dataDir, "nats", "jetstream"))).toBe(true);

    const again = await ensure({ dataDir, port });
    expect(again.startedHere).toBe(false);
    await again.stop();
    expect((await probeNats(port)).state).toBe("nats"); // stopping a reused server leaves it running

    await nats.stop();
    expect((await probeNats(port)).state).toBe("free");
  });

  it("starts one server when two callers race on a free port", async () => {
    const dataDir = path.join(temp.path, "race");
    const port = await findFreePort();

    const racers = await Promise.all([ensure({ dataDir, port }), ensure({ dataDir, port })]);
    expect(racers.map((r) => r.startedHere).sort()).toEqual([false, true]);
    for (const racer of racers) await racer.stop();
    expect((await probeNats(port)).state).toBe("free");
  });

  it("says how to install nats-server when it is not on PATH", async () => {
    const port = await findFreePort();
    const attempt = ensure({ dataDir: temp.path, port, searchPath: path.join(temp.path, "no-binaries-here") });
    await expect(attempt).rejects.toThrow("sudo apt-get install nats-server");
    await expect(attempt).rejects.toThrow("brew install nats-server");
    await expect(attempt).rejects.toThrow("NATS_URL");
  });

  it("refuses a port held by something that is not NATS", async () => {
    const sockets = new Set<net.Socket>();
    const silent = net.createServer((socket) => {
      sockets.add(socket);
      socket.on("close", () => sockets.delete(socket));
    });
    const port = await findFreePort();
    await new Promise<void>((resolve) => silent.listen(port, "127.0.0.1", resolve));
    try {
      await expect(ensure({ dataDir: temp.path, port })).rejects.toThrow(`Port ${port} on 127.0.0.1 is in use`);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });
});

describe("startLocalNats (the embedded start)", { timeout: 60_000 }, () => {
  const temp = makeTempDir("regulars-own-nats-");
  const started: LocalNats[] = [];
  const start = async (dataDir: string) => {
    const nats = await startLocalNats({ dataDir });
    started.push(nats);
    return nats;
  };
  afterAll(async () => {
    for (const nats of started.reverse()) await nats.stop();
    temp.remove();
  }, 30_000);

  it("runs its own server for the data folder on a free port, whatever answers on 4222, and records it for the CLI", async () => {
    const dataDir = path.join(temp.path, "one");
    const nats = await start(dataDir);
    expect(nats.startedHere).toBe(true);
    const port = Number(new URL(nats.url).port);
    expect(port).not.toBe(4222);
    expect(await probeNats(port)).toMatchObject({ state: "nats", jetstream: true });
    expect(existsSync(path.join(dataDir, "nats", "jetstream"))).toBe(true);
    expect(await findRunningNats(dataDir)).toMatchObject({ url: nats.url, port });
    expect(statSync(path.join(dataDir, "nats.json")).mode & 0o777).toBe(0o600);

    const again = await start(dataDir); // a second process, e.g. the CLI, finds the same server
    expect(again).toMatchObject({ startedHere: false, url: nats.url });

    await nats.stop();
    expect((await probeNats(port)).state).toBe("free");
    expect(existsSync(path.join(dataDir, "nats.json"))).toBe(false);
    expect(await findRunningNats(dataDir)).toBeUndefined();
  });

  it("gives two data folders (two checkouts) two servers with their own stores", async () => {
    const [a, b] = await Promise.all([start(path.join(temp.path, "a")), start(path.join(temp.path, "b"))]);
    expect(a.startedHere && b.startedHere).toBe(true);
    expect(a.url).not.toBe(b.url);
  });

  it("starts one server when two callers race on one data folder", async () => {
    const dataDir = path.join(temp.path, "race");
    const racers = await Promise.all([start(dataDir), start(dataDir)]);
    expect(racers.map((r) => r.startedHere).sort()).toEqual([false, true]);
    expect(racers[0]!.url).toBe(racers[1]!.url);
  });
});
