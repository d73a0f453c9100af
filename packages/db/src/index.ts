export { createDb, type Db, type DbOptions, exactNumber } from "./client.ts";
export { holdErasureFence } from "./erasure-fence.ts";
export {
  type DbTx,
  isDbUnreachable,
  isRetryableConflict,
  isServerStateDbError,
  isTransientDbError,
  isUniqueViolation,
  type RawTx,
  withTransaction,
} from "./errors.ts";
export { Prisma } from "./generated/prisma/client.ts";
export type * from "./generated/prisma/models.ts";
export { listMigrations, type Migration, type MigrationResult, migrateDatabase } from "./migrate.ts";
export { createPgTransactionRunner, inTransaction, type TransactionRunner } from "./pg-transactions.ts";
export { type SqlArrayElement, sqlArray } from "./sql-array.ts";
export {
  createPoolReader,
  type PoolReader,
  type PoolReaderOptions,
  poolReaderDefaults,
  prismaReader,
  type SqlReader,
} from "./sql-reader.ts";
