import { isAbsolute, relative } from "node:path";
import { redactUrl } from "@regulars/logger";
import type { RunningSystem } from "./system.ts";

/** The demo sale's customer: once the sale is processed, the phone the kiosk can identify. */
export const demoCustomerPhone = "+48600100200";

/**
 * The commands that try the running system with the demo keys in $POS_KEY and $ADMIN_KEY, as the banner prints
 * them and the README's quick start shows them (a test keeps the two the same). The shell fills in the time and
 * the id when they are run, so they work whenever they are copied, as often as they are copied.
 */
export function tryItCommands(urls: { gatewayUrl: string; apiUrl: string | null }): string[] {
  const phoneQuery = encodeURIComponent(JSON.stringify({ phone: demoCustomerPhone }));
  return [
    "id=demo-$(date +%s)",
    `curl -s ${urls.gatewayUrl}/v1/transactions -H "authorization: Bearer $POS_KEY" -H 'content-type: application/json' \\`,
    `  -d '{"externalId":"'$id'","type":"sale","occurredAt":"'$(date -u +%FT%TZ)'","locationId":"store-001","channel":"pos","customer":{"phone":"${demoCustomerPhone}"},"currency":"EUR","lines":[{"sku":"FRIES-L","name":"Fries large","quantity":2,"unitPrice":350}],"total":700}'`,
    `curl -s ${urls.gatewayUrl}/v1/transactions/$id -H "authorization: Bearer $POS_KEY"   # accepted, then processed`,
    ...(urls.apiUrl
      ? [`curl -s "${urls.apiUrl}/trpc/customers.get?input=${phoneQuery}" -H "authorization: Bearer $ADMIN_KEY"`]
      : []),
  ];
}

/**
 * What `npm start` prints: where everything is. Connection URLs are redacted; the demo tenant's keys and its
 * owner's password are printed because they are what a newcomer needs (they are also in the keys file it names,
 * in the data folder: `.data` unless REGULARS_DATA_DIR moves it).
 */
/** A path under the working folder as it would be typed there (`.data/demo-tenant.json`), any other in full. */
function shownPath(path: string): string {
  const below = relative(process.cwd(), path);
  return below && !below.startsWith("..") && !isAbsolute(below) ? below : path;
}

export function startBanner(
  system: Pick<
    RunningSystem,
    "gatewayUrl" | "apiUrl" | "workersUrl" | "databaseUrl" | "natsUrl" | "demo" | "demoKeysFile"
  >,
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
      `\nTry it: paste the export line first${system.demoKeysFile ? ` (the keys are also in ${shownPath(system.demoKeysFile)})` : ""}\n` +
        `  export POS_KEY=${system.demo.apiKeys.pos} ADMIN_KEY=${system.demo.apiKeys.admin}\n` +
        tryItCommands({ gatewayUrl: system.gatewayUrl, apiUrl: system.apiUrl })
          .map((line) => `  ${line}`)
          .join("\n"),
    "",
  ];
  return `${lines.filter(Boolean).join("\n")}\n`;
}
