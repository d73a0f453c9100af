import type { Hono } from "hono";
import type { Registry } from "prom-client";

export type ReadinessChecks = Record<string, () => Promise<boolean>>;

/** Liveness, readiness (each dependency named, so an operator sees which one is down) and metrics. */
export function registerHealthRoutes(app: Hono<any>, checks: ReadinessChecks, registry: Registry) {
  app.get("/healthz", (c) => c.json({ status: "ok" }));
  app.get("/readyz", async (c) => {
    const results = Object.fromEntries(
      await Promise.all(
        Object.entries(checks).map(async ([name, check]) => [name, await check().catch(() => false)] as const),
      ),
    );
    const ready = Object.values(results).every(Boolean);
    return c.json({ status: ready ? "ready" : "not_ready", checks: results }, ready ? 200 : 503);
  });
  app.get("/metrics", async (c) => c.text(await registry.metrics(), 200, { "content-type": registry.contentType }));
}
