import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * A fresh folder for one test file. Made world-enterable because, as root, Postgres runs as the `postgres`
 * user, and mkdtemp creates folders only their owner may enter.
 */
export function makeTempDir(prefix: string): { path: string; remove(): void } {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  chmodSync(dir, 0o755);
  return { path: dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
