import { fileURLToPath } from "node:url";
import { countDeadLetters } from "@regulars/logger";
import { startOutboxFlusher } from "@regulars/outbox";
import { listen, type RoleContext, type StartedRole } from "@regulars/runtime";
import { createApiApp } from "./app.ts";

/** The tRPC API in a process, configured from the process's settings. */
export async function startApiRole(ctx: RoleContext): Promise<StartedRole> {
  const { config } = ctx;
  // An event NATS refuses for good is dead-lettered here as on the workers, and counted on the same metric.
  const outbox = startOutboxFlusher({
    db: ctx.db,
    bus: ctx.bus,
    log: ctx.log.child({ role: "api" }),
    onDeadLetter: countDeadLetters(ctx.registry),
  });
  const app = createApiApp({
    db: ctx.db,
    analytics: ctx.analytics,
    credentials: ctx.credentials,
    log: ctx.log.child({ role: "api" }),
    registry: ctx.registry,
    readiness: ctx.readiness,
    corsOrigins: config.API_CORS_ORIGINS,
    maxBodyBytes: config.MAX_BODY_BYTES,
    maxBatchSize: config.API_MAX_BATCH,
    rateLimiter: ctx.rateLimiter,
    webhookUrls: { allowPrivateNetworks: config.WEBHOOK_ALLOW_PRIVATE_URLS },
    unknownCodeLimit: {
      limit: config.COUPON_UNKNOWN_CODE_LIMIT,
      windowSeconds: config.COUPON_UNKNOWN_CODE_WINDOW_SECONDS,
    },
    occurredAtMaxAheadSeconds: config.OCCURRED_AT_MAX_AHEAD_SECONDS,
    webApps: {
      adminDir: fileURLToPath(new URL("../../admin/dist", import.meta.url)),
      kioskDir: fileURLToPath(new URL("../../kiosk/dist", import.meta.url)),
      gatewayUrl: config.PUBLIC_GATEWAY_URL ?? null,
      gatewayPort: config.GATEWAY_PORT,
    },
    onMutated: outbox.flush,
    trustedProxies: config.TRUSTED_PROXIES,
  });
  const served = await listen(app.fetch, config.HOST, config.API_PORT, "API_PORT");
  return {
    url: served.url,
    async stop() {
      await served.close();
      await outbox.stop();
    },
  };
}
