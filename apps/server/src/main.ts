import { createLogger, redactUrl } from "@regulars/logger";
import { loadConfig, parseRoles } from "./config.ts";
import { startSystem } from "./system.ts";

/** `regulars-server [--role all|gateway|workers|api]`: the one entry point of every deployment. */
async function main() {
  const config = loadConfig(process.env);
  const roles = parseRoles(process.argv.slice(2));
  const log = createLogger({ level: config.LOG_LEVEL, pretty: (config.LOG_FORMAT ?? (process.stdout.isTTY ? "pretty" : "json")) === "pretty" });
  const system = await startSystem(config, roles, log);

  const lines = [
    "",
    "Regulars is running",
    system.gatewayUrl && `  ingestion gateway  ${system.gatewayUrl}   (docs ${system.gatewayUrl}/v1/docs, OpenAPI ${system.gatewayUrl}/v1/openapi.json)`,
    system.apiUrl && `  tRPC API           ${system.apiUrl}/trpc`,
    system.workersUrl && `  workers health     ${system.workersUrl}/readyz`,
    `  postgres           ${redactUrl(system.databaseUrl)}`,
    `  nats               ${system.natsUrl}`,
    system.demo && `\nDemo tenant ${system.demo.tenantId}\n${Object.entries(system.demo.apiKeys).map(([role, key]) => `  ${role.padEnd(8)} ${key}`).join("\n")}`,
    system.demo && system.gatewayUrl &&
      `\nTry it:\n  curl -s ${system.gatewayUrl}/v1/transactions -H 'authorization: Bearer ${system.demo.apiKeys.pos}' -H 'content-type: application/json' \\\n` +
        `    -d '{"externalId":"demo-1","type":"sale","occurredAt":"${new Date().toISOString()}","locationId":"store-001","channel":"pos","customer":{"phone":"+48600100200"},"currency":"EUR","lines":[{"sku":"FRIES-L","name":"Fries large","quantity":2,"unitPrice":350}],"total":700}'`,
    "",
  ];
  process.stdout.write(lines.filter(Boolean).join("\n") + "\n");

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, "shutting down");
    await system.stop();
    process.exit(0);
  };
  process.on("SIGINT", () => void shutdown("SIGINT"));
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
}

main().catch((e: Error) => {
  process.stderr.write(`\nRegulars could not start: ${e.message}\n`);
  process.exit(1);
});
