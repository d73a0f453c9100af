import { existsSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureLocalNats, type LocalNats } from '../src/index.ts';
import { probeNats } from '../src/nats/probe-nats.ts';
import { findFreePort } from './free-port.ts';
import { makeTempDir } from './temp-dir.ts';

describe('ensureLocalNats', { timeout: 60_000 }, () => {
  const temp = makeTempDir('regulars-embedded-nats-');
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

  it('spawns nats-server with JetStream on a free port, is reused, and stops', async () => {
    const dataDir = path.join(temp.path, 'spawn');
    const port = await findFreePort();

    const nats = await ensure({ dataDir, port });
    expect(nats.startedHere).toBe(true);
    expect(nats.url).toBe(`nats://127.0.0.1:${port}`);
    expect(await probeNats(port)).toMatchObject({ state: 'nats', jetstream: true });
    expect(existsSync(path.join(dataDir, 'nats', 'jetstream'))).toBe(true);

    const again = await ensure({ dataDir, port });
    expect(again.startedHere).toBe(false);
    await again.stop();
    expect((await probeNats(port)).state).toBe('nats'); // stopping a reused server leaves it running

    await nats.stop();
    expect((await probeNats(port)).state).toBe('free');
  });

  it('starts one server when two callers race on a free port', async () => {
    const dataDir = path.join(temp.path, 'race');
    const port = await findFreePort();

    const racers = await Promise.all([ensure({ dataDir, port }), ensure({ dataDir, port })]);
    expect(racers.map((r) => r.startedHere).sort()).toEqual([false, true]);
    for (const racer of racers) await racer.stop();
    expect((await probeNats(port)).state).toBe('free');
  });

  it('says how to install nats-server when it is not on PATH', async () => {
    const port = await findFreePort();
    const attempt = ensure({ dataDir: temp.path, port, searchPath: path.join(temp.path, 'no-binaries-here') });
    await expect(attempt).rejects.toThrow('sudo apt-get install nats-server');
    await expect(attempt).rejects.toThrow('brew install nats-server');
    await expect(attempt).rejects.toThrow('NATS_URL');
  });

  it('refuses a port held by something that is not NATS', async () => {
    const sockets = new Set<net.Socket>();
    const silent = net.createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    const port = await findFreePort();
    await new Promise<void>((resolve) => silent.listen(port, '127.0.0.1', resolve));
    try {
      await expect(ensure({ dataDir: temp.path, port })).rejects.toThrow(`Port ${port} on 127.0.0.1 is in use`);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });
});
