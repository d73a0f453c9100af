/**
 * `pnpm bench:ingest`: how many transactions per second the gateway accepts, how fast the ledger applies
 * them, and how that compares with raw JetStream publishing from one Node process. See loadtests/README.md.
 */
import { type Bus, connectBus } from "@regulars/bus";
import { TransactionAccepted } from "@regulars/contracts";
import { type Basket, createBasketFactory, externalIdSequence, newRunId } from "./baskets.ts";
import { type BenchConfig, BenchUsageError, loadConfig, usage } from "./config.ts";
import { ledgerBacklog, waitForLedgerDrain } from "./drain.ts";
import { runLoad } from "./load.ts";
import { demoMenu } from "./menu.ts";
import { measureRawPublish } from "./raw-publish.ts";
import { type BenchFigures, ledgerFigures, rawBarPct, renderTable, toJsonLine } from "./report.ts";
import { benchPeakRssBytes, findListeningPid, findNatsServerPid, readProcessMemory } from "./rss.ts";

const progress = (line: string) => process.stderr.write(`${line}\n`);
const fmt = (n: number) => Math.round(n).toLocaleString("en-US");

/** One request before the load, so a wrong key or a missing route fails loudly instead of as 20 s of 401s. */
async function preflight(url: URL, posKey: string, basket: Basket): Promise<void> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: "POST",
      headers: { authorization: `Bearer ${posKey}`, "content-type": "application/json" },
      body: JSON.stringify(basket),
      signal: AbortSignal.timeout(10_000),
    });
  } catch (e) {
    const cause = (e as Error & { cause?: Error }).cause?.message ?? (e as Error).message;
    throw new BenchUsageError(
      `cannot reach the gateway at ${url.origin} (${cause}): start the system with \`npm start\` first`,
    );
  }
  const text = await res.text();
  if (res.status !== 202) {
    const hint =
      res.status === 401 || res.status === 403
        ? " (check --key: it must be a POS key of the tenant)"
        : res.status === 404
          ? " (does this gateway serve POST /v1/transactions?)"
          : "";
    throw new BenchUsageError(
      `the gateway answered a valid transaction with HTTP ${res.status}${hint}: ${text.slice(0, 500)}`,
    );
  }
  let body: unknown = null;
  try {
    body = JSON.parse(text);
  } catch {
    // reported below
  }
  const parsed = TransactionAccepted.safeParse(body);
  if (!parsed.success || parsed.data.externalId !== basket.externalId || parsed.data.duplicate) {
    progress(
      `warning: 202 body does not match the contract { id, externalId, status: "accepted", duplicate: false }: ${text.slice(0, 300)}`,
    );
  }
}

async function connect(cfg: BenchConfig): Promise<Bus> {
  try {
    return await connectBus({ url: cfg.natsUrl, namespace: cfg.namespace, name: "regulars-bench" });
  } catch (e) {
    throw new BenchUsageError(
      `cannot connect to NATS at ${cfg.natsUrl} (${(e as Error).message}): start the system with \`npm start\` first`,
    );
  }
}

async function readBacklogOrExplain(bus: Bus): Promise<number> {
  try {
    return await ledgerBacklog(bus);
  } catch (e) {
    const { streams, consumers, namespace } = bus.topology;
    throw new BenchUsageError(
      `cannot read consumer "${consumers.ledger}" of stream ${streams.transactions} (${(e as Error).message}): ` +
        `is the server with its workers running, and is the namespace "${namespace}" right?`,
    );
  }
}

async function bench(cfg: BenchConfig, signal: AbortSignal): Promise<BenchFigures> {
  const url = new URL("/v1/transactions", cfg.gatewayUrl);
  const runId = newRunId();
  const nextBasket = createBasketFactory({ menu: demoMenu });
  const nextId = externalIdSequence(`bench-${runId}`);

  const bus = await connect(cfg);
  try {
    const backlogAtStart = await readBacklogOrExplain(bus);
    if (backlogAtStart > 0)
      progress(`note: the ledger already owes ${fmt(backlogAtStart)} messages; the drain counts only the load's worth`);
    await preflight(url, cfg.posKey, nextBasket(nextId()));
    // The preflight transaction is owed too; it is not part of the load.
    const baseline = backlogAtStart + 1;

    progress(`load: ${cfg.connections} connections for ${cfg.durationSec} s against ${url.href} (run ${runId})`);
    let backlog = backlogAtStart;
    let peakBacklog = backlogAtStart;
    let sampling = false;
    const load = await runLoad({
      url,
      posKey: cfg.posKey,
      connections: cfg.connections,
      durationSec: cfg.durationSec,
      nextBody: () => JSON.stringify(nextBasket(nextId())),
      signal,
      onProgress: (p) => {
        progress(
          `[load ${p.elapsedSec.toFixed(0).padStart(3)} s] ${fmt(p.responses)} responses, ${fmt(p.accepted)} accepted, ${fmt(p.non2xx)} non-2xx, ${fmt(p.errors)} errors, ledger backlog ${fmt(backlog)} (peak ${fmt(peakBacklog)})`,
        );
        if (sampling) return;
        sampling = true;
        ledgerBacklog(bus)
          .then((b) => {
            backlog = b;
            peakBacklog = Math.max(peakBacklog, b);
          })
          .catch(() => {})
          .finally(() => (sampling = false));
      },
    });
    if (signal.aborted) throw new Error("interrupted");
    const acceptedPerSec = load.accepted / load.durationSec;
    progress(
      `load done: ${fmt(load.accepted)} accepted in ${load.durationSec.toFixed(1)} s (${fmt(acceptedPerSec)} tx/s); waiting for the ledger to drain`,
    );

    const drain = await waitForLedgerDrain({
      bus,
      baseline,
      timeoutMs: cfg.drainTimeoutSec * 1_000,
      signal,
      onProgress: (p) =>
        progress(`[drain ${p.elapsedSec.toFixed(0).padStart(3)} s] ${fmt(p.remaining)} still to apply`),
    });
    if (signal.aborted) throw new Error("interrupted");
    if (!drain.drained) progress(`ledger did not drain: ${drain.reason}`);

    // Same kind of message the gateway publishes: the transaction in its envelope.
    const tenantId = cfg.tenantId ?? "tn_bench";
    const encoder = new TextEncoder();
    const payloads = Array.from({ length: 1_000 }, (_, i) =>
      encoder.encode(
        JSON.stringify({
          tenantId,
          transactionId: `tx_raw${runId}${i}`,
          receivedAt: new Date().toISOString(),
          transaction: nextBasket(`raw-${runId}-${i}`),
        }),
      ),
    );
    progress(`raw JetStream publish reference: 256 in flight, up to ${cfg.rawSeconds} s`);
    const raw = await measureRawPublish({
      bus,
      payloads,
      msgIdPrefix: tenantId,
      maxSeconds: cfg.rawSeconds,
      maxMessages: Math.max(load.accepted, 10_000),
      signal,
      onProgress: (p) => progress(`[raw ${p.elapsedSec.toFixed(0).padStart(3)} s] ${fmt(p.published)} published`),
    });
    if (signal.aborted) throw new Error("interrupted");

    const acceptedVsRawPct = raw.perSec > 0 ? (acceptedPerSec / raw.perSec) * 100 : null;
    const natsPid = findNatsServerPid(cfg.natsUrl);
    const serverPid = cfg.serverPid ?? findListeningPid(Number(url.port || (url.protocol === "https:" ? 443 : 80)));
    return {
      gatewayUrl: cfg.gatewayUrl,
      namespace: cfg.namespace,
      connections: cfg.connections,
      load,
      acceptedPerSec,
      ledger: ledgerFigures(load, backlogAtStart, peakBacklog, drain),
      raw,
      acceptedVsRawPct,
      meetsRawBar: acceptedVsRawPct === null ? null : acceptedVsRawPct >= rawBarPct,
      memory: {
        server: serverPid === null ? null : readProcessMemory(serverPid),
        natsServer: natsPid === null ? null : readProcessMemory(natsPid),
        benchPeakBytes: benchPeakRssBytes(),
      },
    };
  } finally {
    await bus.close().catch(() => {});
  }
}

async function main(): Promise<number> {
  const controller = new AbortController();
  const interrupt = () => {
    if (controller.signal.aborted) process.exit(130);
    progress("interrupted: stopping and cleaning up (Ctrl-C again to quit at once)");
    controller.abort();
  };
  process.on("SIGINT", interrupt);
  process.on("SIGTERM", interrupt);
  try {
    const cfg = loadConfig();
    if (!cfg) {
      process.stdout.write(`${usage}\n`);
      return 0;
    }
    const figures = await bench(cfg, controller.signal);
    if (!cfg.json) process.stdout.write(`\n${renderTable(figures)}\n\n`);
    process.stdout.write(`${toJsonLine(figures)}\n`);
    return 0;
  } catch (e) {
    if (controller.signal.aborted) return 130;
    progress(e instanceof BenchUsageError ? e.message : `bench failed: ${(e as Error).stack ?? e}`);
    return 1;
  }
}

process.exit(await main());
