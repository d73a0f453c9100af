import { fileURLToPath } from "node:url";
import { createPgTransactionRunner, createPoolReader } from "@regulars/db";
import { countDeadLetters } from "@regulars/logger";
import { startOutboxFlusher } from "@regulars/outbox";
import { ProgrammeCache } from "@regulars/programme";
import { listen, type RoleContext, type StartedRole } from "@regulars/runtime";
import { createApiApp } from "./app.ts";

/** Connections of each pool of the kiosks' and tills' checkout: statements of milliseconds, at human pace per till. */
const CHECKOUT_POOL_SIZE = 2;

/** The tRPC API in a process, configured from the process's settings. */
export async function startApiRole(ctx: RoleContext): Promise<StartedRole> {
  const { config } = ctx;
  // The kiosk's checkout runs the gateway's statements: on pg pools of their own, as the gateway's (its role.ts says
  // why each), not through Prisma, whose per-statement CPU was most of a quote's and kept a hold's locks held.
  const pool = (what: string) => ({
    url: ctx.deps.databaseUrl,
    poolSize: CHECKOUT_POOL_SIZE,
    applicationName: `${config.REGULARS_NAMESPACE}-api-${what}`,
  });
  const checkoutReader = createPoolReader(pool("checkout-reader"));
  const missCounts = createPoolReader({ ...pool("miss-counts"), asyncCommit: true });
  const holdTransactions = createPgTransactionRunner(pool("holds"));
  const pools = [checkoutReader, missCounts, holdTransactions];
  // Opened now, not by a till's first checkout, which would wait on the connect (see the gateway's role).
  for (const reader of [checkoutReader, missCounts])
    await reader
      .warm()
      .catch((err) => ctx.log.warn({ err }, "the API's checkout pools open their connections on demand"));
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
    checkoutPools: { reader: checkoutReader, missCounts, holdTransactions },
    programmes: new ProgrammeCache(ctx.db),
    trustedProxies: config.TRUSTED_PROXIES,
  });
  const served = await listen(app.fetch, config.HOST, config.API_PORT, "API_PORT").catch(async (e) => {
    for (const p of pools) await p.close();
    await outbox.stop();
    throw e;
  });
  return {
    url: served.url,
    async stop() {
      await served.close();
      await outbox.stop();
      for (const p of pools) await p.close();
    },
  };
}
