import type { AnalystSqlTarget } from "@regulars/analytics";
import type { Logger } from "@regulars/logger";

/** Jobs that do nothing without ClickHouse: skipped, and counted so, in a pass where it does not answer. */
export const clickhouseJobs = new Set(["finish-erasures", "refresh-segments"]);

/**
 * The client waits 30 s for each request: a ClickHouse that accepts connections but never answers would hold
 * every tenant's expiry and holds behind its calls. Asked once per pass, a short ping settles it for the pass.
 */
async function clickhouseAnswers(analytics: AnalystSqlTarget, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
  try {
    const ping = analytics.client.ping({ select: false, abort_signal: AbortSignal.timeout(timeoutMs) }).then(
      (r) => r.success,
      () => false,
    );
    // The race as well as the signal: the embedded engine's connection does not listen to the signal.
    return await Promise.race([ping, late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * ClickHouse for this pass, or undefined when it does not answer: the pass then runs as in a process without it
 * (retention deletes in Postgres only, erasures stay pending for ClickHouse) and its ClickHouse jobs wait.
 */
export async function analyticsForPass(deps: {
  analytics?: AnalystSqlTarget;
  clickhouseProbeMs?: number;
  log: Logger;
}): Promise<AnalystSqlTarget | undefined> {
  if (!deps.analytics) return undefined;
  if (await clickhouseAnswers(deps.analytics, deps.clickhouseProbeMs ?? 2_000)) return deps.analytics;
  deps.log.warn(
    { skipped: [...clickhouseJobs] },
    "ClickHouse does not answer; this pass skips its ClickHouse jobs and the next pass retries them",
  );
  return undefined;
}
