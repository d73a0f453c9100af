import type { Hono } from "hono";
import type { Registry } from "prom-client";

export type ReadinessChecks = Record<string, () => Promise<boolean>>;

export interface HealthOptions {
  /** A check that has not answered within this is reported as failing: readiness must answer at once. */
  checkTimeoutMs?: number;
  /** Extra fields for the readiness body, e.g. why a consumer is paused. */
  details?: () => Record<string, unknown>;
}

/** False when `check` rejects or has not answered within `timeoutMs` (a dead peer can hang a socket). */
export async function boundedCheck(check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      check().then((ok) => ok === true, () => false),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs))),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Liveness, readiness (each dependency named, so an operator sees which one is down) and metrics. */
export function registerHealthRoutes(app: Hono<any>, checks: ReadinessChecks, registry: Registry, opts: HealthOptions = {}) {
  const timeoutMs = opts.checkTimeoutMs ?? 1_000;
  app.get("/healthz", (c) => c.json({ status: "ok" }));
  app.get("/readyz", async (c) => {
    const results = Object.fromEntries(
      await Promise.all(Object.entries(checks).map(async ([name, check]) => [name, await boundedCheck(check, timeoutMs)] as const)),
    );
    const ready = Object.values(results).every(Boolean);
    return c.json({ status: ready ? "ready" : "not_ready", checks: results, ...opts.details?.() }, ready ? 200 : 503);
  });
  app.get("/metrics", async (c) => c.text(await registry.metrics(), 200, { "content-type": registry.contentType }));
}
