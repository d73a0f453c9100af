import { listen, type RoleContext, type StartedRole } from "@regulars/runtime";
import { createGatewayApp } from "./app.ts";

/** The ingestion gateway in a process, configured from the process's settings. */
export async function startGatewayRole(ctx: RoleContext): Promise<StartedRole> {
  const { config } = ctx;
  const app = createGatewayApp({
    bus: ctx.bus,
    credentials: ctx.credentials,
    log: ctx.log.child({ role: "gateway" }),
    registry: ctx.registry,
    readiness: ctx.readiness,
    maxBodyBytes: config.MAX_BODY_BYTES,
    occurredAtWindow: {
      maxAgeDays: config.OCCURRED_AT_MAX_AGE_DAYS,
      maxAheadSeconds: config.OCCURRED_AT_MAX_AHEAD_SECONDS,
    },
    rateLimiter: ctx.rateLimiter,
    db: ctx.db,
  });
  const served = await listen(app.fetch, config.HOST, config.GATEWAY_PORT);
  return {
    url: served.url,
    async stop() {
      await served.close();
      await app.stop(); // after the server closed: the last receipts are written
    },
  };
}
