import type { Logger } from "@regulars/logger";
import type { Bus } from "./connection.ts";
import { ensureTopology, isStreamNotFound, type TopologyOptions } from "./streams.ts";

/** The topology's streams that JetStream says do not exist (not those it cannot answer for now, e.g. without quorum). */
export async function missingStreams(bus: Bus): Promise<string[]> {
  const missing: string[] = [];
  for (const name of Object.values(bus.topology.streams)) {
    try {
      await bus.jsm.streams.info(name);
    } catch (e) {
      if (isStreamNotFound(e)) missing.push(name);
      else throw e;
    }
  }
  return missing;
}

/**
 * Declares the topology again whenever one of its streams is missing: looked at after every reconnect and every
 * `intervalMs`. A NATS server back without its store (a lost disk, a wiped volume, a new cluster at the same address)
 * would otherwise leave every publish refused (the gateway answering 503) and every consumer waiting until each
 * process was restarted. A new stream numbers its messages from 1: the ledger tells it from the old one by its
 * creation time (see `adoptStream` in ledger-store).
 */
export function keepTopology(
  bus: Bus,
  opts: TopologyOptions,
  watch: { log: Logger; intervalMs?: number },
): { stop(): Promise<void> } {
  const intervalMs = watch.intervalMs ?? 30_000;
  let stopped = false;
  let checking: Promise<void> = Promise.resolve();
  // A server just back may not answer for JetStream yet: a failed look is taken again soon, then less and less often.
  let retryMs = 500;
  let retry: NodeJS.Timeout | undefined;
  const check = () => {
    clearTimeout(retry);
    checking = checking
      .then(async () => {
        if (stopped || !bus.isConnected()) return;
        const missing = await missingStreams(bus);
        if (missing.length) {
          watch.log.warn({ missing }, "JetStream streams are missing (a store lost or wiped?): declaring them again");
          await ensureTopology(bus, opts);
        }
        retryMs = 500;
      })
      .catch((e) => {
        if (stopped) return;
        watch.log.warn({ err: e, retryInMs: retryMs }, "checking the JetStream streams failed; looking again");
        retry = setTimeout(check, retryMs);
        retry.unref();
        retryMs = Math.min(retryMs * 2, intervalMs);
      });
  };
  const timer = setInterval(check, intervalMs);
  timer.unref();
  void (async () => {
    for await (const status of bus.nc.status()) {
      if (stopped) break;
      if (status.type === "reconnect") check();
    }
  })();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      clearTimeout(retry);
      await checking;
    },
  };
}
