export { createDb, exactNumber, type Db, type DbOptions } from "./client.ts";
export { withTransaction, isUniqueViolation, isRetryableConflict, isTransientDbError, type DbTx } from "./errors.ts";
export { migrateDatabase, listMigrations, type MigrationResult } from "./migrate.ts";
export { Prisma } from "./generated/prisma/client.ts";
export type * from "./generated/prisma/models.ts";
