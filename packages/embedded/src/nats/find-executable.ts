import { accessSync, constants, statSync } from "node:fs";
import path from "node:path";

/** The first `name` in the PATH-style `searchPath` that is an executable file. */
export function findExecutable(name: string, searchPath: string): string | undefined {
  for (const dir of searchPath.split(path.delimiter)) {
    if (dir === "") continue;
    const candidate = path.join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not in this folder
    }
  }
  return undefined;
}

/**
 * PATH plus the sbin folders: Debian's nats-server package installs to /usr/sbin, which is not on a
 * normal user's PATH there. PATH is read here because it is the OS's lookup path, not app configuration.
 */
export const defaultSearchPath = () =>
  [process.env.PATH, "/usr/local/sbin", "/usr/sbin"].filter(Boolean).join(path.delimiter);
