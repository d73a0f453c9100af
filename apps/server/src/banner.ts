import { redactUrl } from "@regulars/logger";
import type { RunningSystem } from "./system.ts";

/**
 * What `npm start` prints: where everything is. Connection URLs are redacted; the demo tenant's keys and its
 * owner's password are printed because they are what a newcomer needs (they are also in .data/demo-tenant.json).
 */
export function startBanner(
  system: Pick<RunningSystem, "gatewayUrl" | "apiUrl" | "workersUrl" | "databaseUrl" | "natsUrl" | "demo">,
): string {
  const lines = [
    "",
    "Regulars is running",
    system.gatewayUrl &&
      `  ingestion gateway  ${system.gatewayUrl}   (docs ${system.gatewayUrl}/v1/docs, OpenAPI ${system.gatewayUrl}/v1/openapi.json)`,
    system.apiUrl && `  tRPC API           ${system.apiUrl}/trpc`,
    system.apiUrl && `  admin app          ${system.apiUrl}/app/`,
    system.apiUrl && `  kiosk app          ${system.apiUrl}/kiosk/`,
    system.workersUrl && `  workers health     ${system.workersUrl}/readyz`,
    `  postgres           ${redactUrl(system.databaseUrl)}`,
    `  nats               ${redactUrl(system.natsUrl)}`,
    system.demo &&
      `\nDemo tenant ${system.demo.tenantId}\n${Object.entries(system.demo.apiKeys)
        .map(([role, key]) => `  ${role.padEnd(8)} ${key}`)
        .join("\n")}`,
    system.demo?.staff &&
      system.apiUrl &&
      `\nSign in to the admin app at ${system.apiUrl}/app/ as ${system.demo.staff.email}, password ${system.demo.staff.password}` +
        `\nOpen the kiosk, set up with the demo kiosk key: ${system.apiUrl}/kiosk/#key=${system.demo.apiKeys.kiosk}&location=store-001`,
    system.demo &&
      system.gatewayUrl &&
      // The shell fills in the time and the id when the line is run, so it works whenever it is copied.
      `\nTry it:\n  id=demo-$(date +%s)\n` +
        `  curl -s ${system.gatewayUrl}/v1/transactions -H 'authorization: Bearer ${system.demo.apiKeys.pos}' -H 'content-type: application/json' \\\n` +
        `    -d '{"externalId":"'$id'","type":"sale","occurredAt":"'$(date -u +%FT%TZ)'","locationId":"store-001","channel":"pos","customer":{"phone":"+48600100200"},"currency":"EUR","lines":[{"sku":"FRIES-L","name":"Fries large","quantity":2,"unitPrice":350}],"total":700}'\n` +
        `  curl -s ${system.gatewayUrl}/v1/transactions/$id -H 'authorization: Bearer ${system.demo.apiKeys.pos}'`,
    "",
  ];
  return `${lines.filter(Boolean).join("\n")}\n`;
}
