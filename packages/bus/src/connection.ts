import { type JetStreamClient, type JetStreamManager, jetstream, jetstreamManager } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { type BusTopology, busTopology } from "./topology.ts";

export interface BusOptions {
  url: string;
  namespace?: string;
  /** Connection name shown by `nats server report connections`. */
  name?: string;
  /** Ledger partitions (default 16): the same number in every gateway and ledger worker. */
  partitions?: number;
}

export interface Bus {
  nc: NatsConnection;
  js: JetStreamClient;
  jsm: JetStreamManager;
  topology: BusTopology;
  /**
   * False from the moment the client knows the connection is lost until it is re-established: a
   * publish now would only wait for its timeout, so callers can refuse at once instead.
   */
  isConnected(): boolean;
  close(): Promise<void>;
}

export async function connectBus(opts: BusOptions): Promise<Bus> {
  const servers = opts.url.split(",").map(withoutCredentials);
  const nc = await connect({
    ...credentialsFrom(opts.url),
    servers,
    name: opts.name ?? "regulars",
    maxReconnectAttempts: -1,
    reconnectTimeWait: 500,
    // A dead peer that sends no reset (a cut cable, a frozen VM) is noticed within ~30 s, not 4 minutes.
    pingInterval: 10_000,
    maxPingOut: 3,
    // Every JetStream publish is a request; with async traces each one builds an Error (and its stack)
    // up front, about a tenth of the gateway's CPU. Our errors carry their own context instead.
    noAsyncTraces: true,
  }).catch((e: Error) => {
    // The client says only "connection refused": which server, and that it is NATS, is what an operator needs.
    const what = e?.name === "ConnectionError" ? "is unreachable" : "refused the connection";
    throw new Error(`NATS at ${servers.join(",")} ${what}: ${e?.message ?? e}`, { cause: e });
  });
  let connected = true;
  void (async () => {
    for await (const status of nc.status()) {
      if (status.type === "disconnect" || status.type === "close") connected = false;
      else if (status.type === "reconnect") connected = true;
    }
  })();
  const jsm = await jetstreamManager(nc);
  return {
    nc,
    js: jetstream(nc),
    jsm,
    topology: busTopology(opts.namespace, opts.partitions),
    isConnected: () => connected && !nc.isClosed(),
    close: () => nc.drain(),
  };
}

const jetStreamAnswered = new WeakMap<Bus, number>();

/**
 * True when a publish would succeed now: connected, and JetStream answered within the last two
 * seconds (asked again, at most `timeoutMs`, when it has not). Readiness must answer at once.
 */
export async function busIsReady(bus: Bus, timeoutMs = 1_000): Promise<boolean> {
  if (!bus.isConnected()) return false;
  if (Date.now() - (jetStreamAnswered.get(bus) ?? 0) < 2_000) return true;
  let timer: NodeJS.Timeout | undefined;
  try {
    const answered = await Promise.race([
      bus.jsm.getAccountInfo().then(() => true),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs))),
    ]);
    if (answered) jetStreamAnswered.set(bus, Date.now());
    return answered;
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

/** `nats://user:pass@host` or `nats://token@host`: the client does not read credentials from URLs itself. */
function credentialsFrom(urls: string): { user?: string; pass?: string; token?: string } {
  const first = new URL(urls.split(",")[0]!.trim());
  if (first.username && first.password)
    return { user: decodeURIComponent(first.username), pass: decodeURIComponent(first.password) };
  if (first.username) return { token: decodeURIComponent(first.username) };
  return {};
}

function withoutCredentials(url: string): string {
  const u = new URL(url.trim());
  return `${u.protocol}//${u.host}`;
}
