import autocannon from "autocannon";

export interface LoadProgress {
  elapsedSec: number;
  responses: number;
  accepted: number;
  /** Transactions the 2xx answers accepted (a batch answer accepts many). */
  acceptedItems: number;
  non2xx: number;
  errors: number;
}

export interface LoadResult {
  durationSec: number;
  /** Requests sent, answered or not. */
  sent: number;
  /** 2xx answers: requests the gateway stored on JetStream. */
  accepted: number;
  /** Transactions those answers accepted: one each, or a batch's accepted items. */
  acceptedItems: number;
  non2xx: number;
  /** Count per HTTP status, so a wall of 401s or 422s is obvious. */
  statuses: Record<string, number>;
  /** Connection errors, timeouts included. */
  errors: number;
  timeouts: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number; mean: number };
  avgBodyBytes: number;
}

export interface LoadOptions {
  url: URL;
  posKey: string;
  connections: number;
  durationSec: number;
  /** A new JSON body per call: every request is a distinct transaction (or batch). */
  nextBody: () => string;
  /** Transactions a 2xx answer accepted, read from its body; one per answer when absent. */
  acceptedInBody?: (body: string) => number;
  onProgress?: (p: LoadProgress) => void;
  signal?: AbortSignal;
}

/** Drives a POST route (`opts.url`) for a fixed duration with autocannon, in this process. */
export function runLoad(opts: LoadOptions): Promise<LoadResult> {
  let bodies = 0;
  let bodyBytes = 0;
  const live: LoadProgress = { elapsedSec: 0, responses: 0, accepted: 0, acceptedItems: 0, non2xx: 0, errors: 0 };
  const countItems = opts.acceptedInBody;
  const started = performance.now();

  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: opts.url.href,
        connections: opts.connections,
        duration: opts.durationSec,
        headers: { authorization: `Bearer ${opts.posKey}`, "content-type": "application/json" },
        requests: [
          {
            method: "POST",
            path: opts.url.pathname,
            setupRequest: (request) => {
              const body = opts.nextBody();
              bodies++;
              bodyBytes += Buffer.byteLength(body);
              return { ...request, body };
            },
            // Only when asked: reading every body costs the bench CPU.
            ...(countItems
              ? {
                  onResponse: (status: number, body: string) => {
                    if (status >= 200 && status < 300) live.acceptedItems += countItems(body);
                  },
                }
              : {}),
          },
        ],
      },
      (err, result) => {
        clearInterval(ticker);
        opts.signal?.removeEventListener("abort", stop);
        if (err) return reject(err);
        const statuses: Record<string, number> = {};
        for (const [code, stat] of Object.entries(result.statusCodeStats ?? {})) statuses[code] = stat.count ?? 0;
        resolve({
          durationSec: result.duration,
          sent: result.requests.sent,
          accepted: result["2xx"],
          acceptedItems: countItems ? live.acceptedItems : result["2xx"],
          non2xx: result.non2xx,
          statuses,
          errors: result.errors,
          timeouts: result.timeouts,
          latencyMs: {
            p50: result.latency.p50,
            p90: result.latency.p90,
            p99: result.latency.p99,
            max: result.latency.max,
            mean: result.latency.mean,
          },
          avgBodyBytes: bodies ? Math.round(bodyBytes / bodies) : 0,
        });
      },
    );
    instance.on("response", (_client, status) => {
      live.responses++;
      if (status >= 200 && status < 300) {
        live.accepted++;
        if (!countItems) live.acceptedItems++;
      } else live.non2xx++;
    });
    instance.on("reqError", () => live.errors++);
    const ticker = setInterval(() => {
      live.elapsedSec = (performance.now() - started) / 1_000;
      opts.onProgress?.({ ...live });
    }, 1_000);
    const stop = () => instance.stop();
    opts.signal?.addEventListener("abort", stop, { once: true });
  });
}
