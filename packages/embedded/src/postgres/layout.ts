import { execFileSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { chmodSync, cpSync, existsSync, mkdirSync, renameSync, rmSync, statSync } from "node:fs";
import path from "node:path";
import { postgresBinaries } from "./binaries.ts";

/**
 * As root, Postgres refuses to run as root and runs as the `postgres` system user, which cannot enter a
 * checkout under a private folder (a `mktemp -d` of mode 700, a home folder). Rather than loosen anyone's
 * folders, root keeps the binaries and the cluster under this root-owned, world-traversable folder: one
 * copy of the binaries per PostgreSQL version, one cluster per data folder (named by a hash of its path).
 * The data folder records where (`postgres-location.json`).
 */
export const ROOT_BASE = "/var/lib/regulars-embedded";

export const runsAsRoot = () => process.getuid?.() === 0;

export interface RunAs {
  uid: number;
  gid: number;
}

const clusterKey = (dataDir: string) => createHash("sha256").update(path.resolve(dataDir)).digest("hex").slice(0, 16);

/** Where the cluster of `dataDir` lives: `<dataDir>/postgres`, or under ROOT_BASE when running as root. */
export function clusterDirOf(dataDir: string): string {
  return runsAsRoot()
    ? path.join(ROOT_BASE, "clusters", clusterKey(dataDir), "postgres")
    : path.join(dataDir, "postgres");
}

export const locationRecordOf = (dataDir: string) => path.join(dataDir, "postgres-location.json");

/** A folder root owns and everyone may enter (not list-protected: it holds only folders with their own modes). */
function publicFolder(dir: string): void {
  mkdirSync(dir, { recursive: true });
  chmodSync(dir, 0o755);
}

/** The bin/ folder to run Postgres from: the npm package's, or (as root) a copy the postgres user can reach. */
export function binDirFor(): string {
  const { nativeDir, version } = postgresBinaries();
  if (!runsAsRoot()) return path.join(nativeDir, "bin");
  const installed = path.join(ROOT_BASE, `postgres-${version}`);
  if (!existsSync(path.join(installed, "bin", "postgres"))) {
    publicFolder(ROOT_BASE);
    // Copied whole into a scratch folder and renamed into place: a half-finished copy is never used.
    const scratch = `${installed}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`;
    cpSync(nativeDir, scratch, { recursive: true, dereference: true });
    chmodSync(scratch, 0o755);
    try {
      renameSync(scratch, installed);
    } catch (error) {
      rmSync(scratch, { recursive: true, force: true });
      if (!existsSync(path.join(installed, "bin", "postgres"))) throw error; // else another process won the race
    }
  }
  return path.join(installed, "bin");
}

/** The `postgres` system user to run as when root (created like Debian's package does, if missing). */
export function postgresUser(): RunAs | undefined {
  if (!runsAsRoot()) return undefined;
  const id = (flag: string) =>
    Number(execFileSync("id", [flag, "postgres"], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim());
  try {
    return { uid: id("-u"), gid: id("-g") };
  } catch (error) {
    // Only a user `id` says is missing is created: `id` stopped by a signal (Ctrl-C during start) is not that.
    const { signal, stderr } = error as { signal?: string | null; stderr?: string | Buffer };
    if (signal || !/no such user/i.test(String(stderr ?? ""))) throw error;
    execFileSync("useradd", ["--system", "--user-group", "--no-create-home", "--home-dir", ROOT_BASE, "postgres"]);
    return { uid: id("-u"), gid: id("-g") };
  }
}

/** Makes the folder that will hold the cluster (as root: under ROOT_BASE, with its own public parent). */
export function prepareClusterParent(dataDir: string): string {
  const parent = path.dirname(clusterDirOf(dataDir));
  if (runsAsRoot()) {
    publicFolder(ROOT_BASE);
    publicFolder(path.join(ROOT_BASE, "clusters"));
    publicFolder(parent);
  } else {
    mkdirSync(parent, { recursive: true });
  }
  return parent;
}

/** Deletes the cluster kept outside the data folder (as root); inside it, deleting the folder is enough. */
export function removeExternalCluster(dataDir: string): void {
  if (!runsAsRoot()) return;
  rmSync(path.dirname(clusterDirOf(dataDir)), { recursive: true, force: true });
  rmSync(locationRecordOf(dataDir), { force: true });
}

export const isDirectory = (p: string) => {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
};
