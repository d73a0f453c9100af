// Fixed local-only credentials: the cluster listens on 127.0.0.1 only and exists for development.
export const POSTGRES_HOST = "127.0.0.1";
export const POSTGRES_USER = "regulars";
export const POSTGRES_PASSWORD = "regulars";
export const POSTGRES_DATABASE = "regulars";
export const DEFAULT_POSTGRES_PORT = 54329;

export { clusterDirOf } from "./layout.ts";

export const postgresUrl = (port: number) =>
  `postgresql://${POSTGRES_USER}:${POSTGRES_PASSWORD}@${POSTGRES_HOST}:${port}/${POSTGRES_DATABASE}`;

/**
 * The builtin C.UTF-8 locale behaves the same on every OS and needs no OS locale installed; taking the
 * locale from the environment instead makes initdb fail wherever LANG names a locale that isn't installed.
 */
export const INITDB_FLAGS = ["--encoding=UTF8", "--locale=C", "--locale-provider=builtin", "--builtin-locale=C.UTF-8"];

/**
 * TCP on 127.0.0.1 only. No unix socket: everything connects by URL, and a socket in /tmp is keyed by port
 * alone, so clusters from different data folders would trip over each other's leftovers.
 */
export const POSTGRES_FLAGS = ["-c", `listen_addresses=${POSTGRES_HOST}`, "-c", "unix_socket_directories="];
