import { existsSync, mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** Folder of this file: the repository that holds the code, wherever the process was started from. */
const thisPackageDir = path.dirname(fileURLToPath(import.meta.url));

/**
 * Folder for local data: REGULARS_DATA_DIR if given by the caller, else
 * `<nearest ancestor of startDir containing pnpm-workspace.yaml>/.data`. Creates it.
 * startDir defaults to this package's folder, so the CLI finds the same `.data` from any working directory.
 */
export function resolveDataDir(opts: { override?: string; startDir?: string } = {}): string {
  const dataDir = opts.override
    ? path.resolve(opts.override)
    : path.join(findWorkspaceRoot(opts.startDir ?? thisPackageDir), ".data");
  mkdirSync(dataDir, { recursive: true });
  return dataDir;
}

export function findWorkspaceRoot(startDir: string): string {
  let dir = path.resolve(startDir);
  for (;;) {
    if (existsSync(path.join(dir, "pnpm-workspace.yaml"))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) {
      throw new Error(
        `No pnpm-workspace.yaml in ${startDir} or any folder above it, so there is no repository to keep ` +
          `local data in. Set REGULARS_DATA_DIR to choose a data folder.`,
      );
    }
    dir = parent;
  }
}
