import { chmod, rename, stat, writeFile } from "node:fs/promises";

const PRIVATE = 0o600;

/**
 * Writes a file only its owner may read (it holds a URL, a port to a passworded service or API keys),
 * via a scratch file and rename, so a reader never sees half of it and it is never readable by others,
 * not even for a moment. A file that already exists with looser permissions is replaced by a 0600 one.
 */
export async function writePrivateFile(file: string, content: string): Promise<void> {
  const scratch = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  await writeFile(scratch, content, { mode: PRIVATE });
  await chmod(scratch, PRIVATE); // the mode given to writeFile is filtered by the umask
  await rename(scratch, file);
}

/** Takes group and other access away from a file written by an older version; a missing file is fine. */
export async function tightenFileMode(file: string): Promise<void> {
  const info = await stat(file).catch(() => undefined);
  if (info && (info.mode & 0o077) !== 0) await chmod(file, info.mode & 0o700);
}
