export type { Log } from './log.ts';
export { resolveDataDir } from './data-dir.ts';
export { startEmbeddedPostgres, type EmbeddedPostgres } from './postgres/start-embedded-postgres.ts';
export { clusterDirOf, removeExternalCluster as removeEmbeddedPostgresCluster } from './postgres/layout.ts';
export { ensureLocalNats, type LocalNats } from './nats/ensure-local-nats.ts';
export { startLocalNats } from './nats/start-local-nats.ts';
export { findRunningNats, type NatsRecord } from './nats/nats-record.ts';
export { tightenFileMode, writePrivateFile } from './private-file.ts';
