export { resolveDataDir } from "./data-dir.ts";
export type { Log } from "./log.ts";
export { ensureLocalNats, type LocalNats } from "./nats/ensure-local-nats.ts";
export { defaultSearchPath, findExecutable } from "./nats/find-executable.ts";
export { findRunningNats, type NatsRecord } from "./nats/nats-record.ts";
export { startLocalNats } from "./nats/start-local-nats.ts";
export { clusterDirOf, removeExternalCluster as removeEmbeddedPostgresCluster } from "./postgres/layout.ts";
export { type EmbeddedPostgres, startEmbeddedPostgres } from "./postgres/start-embedded-postgres.ts";
export { tightenFileMode, writePrivateFile } from "./private-file.ts";
