import type { Env, Hono } from "hono";
import type { Registry } from "prom-client";

/** A check answers whether its dependency is usable; it may say more (e.g. why a consumer is paused). */
export type ReadinessCheck = () => Promise<boolean | { ok: boolean; details: unknown }>;
export type ReadinessChecks = Record<string, ReadinessCheck>;

export interface HealthOptions {
  /** A check that has not answered within this is reported as failing: readiness must answer at once. */
  checkTimeoutMs?: number;
}

/** Not ok when `check` rejects or has not answered within `timeoutMs` (a dead peer can hang a socket). */
export async function boundedCheck(
  check: ReadinessCheck,
  timeoutMs: number,
): Promise<{ ok: boolean; details?: unknown }> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      check().then(
        (answer) =>
          typeof answer === "boolean" ? { ok: answer } : { ok: answer.ok === true, details: answer.details },
        () => ({ ok: false }),
      ),
      new Promise<{ ok: boolean }>((resolve) => (timer = setTimeout(() => resolve({ ok: false }), timeoutMs))),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Liveness, readiness (each dependency named, so an operator sees which one is down; a check's details
 * appear under its name) and metrics.
 */
export function registerHealthRoutes<E extends Env>(
  app: Hono<E>,
  checks: ReadinessChecks,
  registry: Registry,
  opts: HealthOptions = {},
) {
  const timeoutMs = opts.checkTimeoutMs ?? 1_000;
  app.get("/healthz", (c) => c.json({ status: "ok" }));
  app.get("/readyz", async (c) => {
    const results = await Promise.all(
      Object.entries(checks).map(async ([name, check]) => [name, await boundedCheck(check, timeoutMs)] as const),
    );
    const ready = results.every(([, r]) => r.ok);
    const details = Object.fromEntries(
      results.filter(([, r]) => r.details !== undefined).map(([name, r]) => [name, r.details]),
    );
    return c.json(
      {
        status: ready ? "ready" : "not_ready",
        checks: Object.fromEntries(results.map(([name, r]) => [name, r.ok])),
        ...details,
      },
      ready ? 200 : 503,
    );
  });
  app.get("/metrics", async (c) => c.text(await registry.metrics(), 200, { "content-type": registry.contentType }));
}
