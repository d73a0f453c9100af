import { fileURLToPath } from "node:url";
import { defineConfig } from "prisma/config";

// The Prisma CLI insists on a native schema engine it would download from a host this project's
// machines cannot reach. We only use the CLI for `generate` (migrations are plain SQL applied by
// src/migrate.ts), which needs no engine: pointing the variable at an existing file skips the download.
process.env.PRISMA_SCHEMA_ENGINE_BINARY ??= fileURLToPath(new URL("./prisma/no-schema-engine", import.meta.url));

export default defineConfig({
  schema: "prisma/schema.prisma",
});
