import { type JetStreamClient, type JetStreamManager, jetstream, jetstreamManager } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { type BusTopology, busTopology } from "./topology.ts";

export interface BusOptions {
  url: string;
  namespace?: string;
  /** Connection name shown by `nats server report connections`. */
  name?: string;
}

export interface Bus {
  nc: NatsConnection;
  js: JetStreamClient;
  jsm: JetStreamManager;
  topology: BusTopology;
  close(): Promise<void>;
}

export async function connectBus(opts: BusOptions): Promise<Bus> {
  const nc = await connect({
    ...credentialsFrom(opts.url),
    servers: opts.url.split(",").map(withoutCredentials),
    name: opts.name ?? "regulars",
    maxReconnectAttempts: -1,
    reconnectTimeWait: 500,
  });
  const jsm = await jetstreamManager(nc);
  return {
    nc,
    js: jetstream(nc),
    jsm,
    topology: busTopology(opts.namespace),
    close: () => nc.drain(),
  };
}

/** True when NATS answers and JetStream is enabled, for readiness probes. */
export async function busIsReady(bus: Bus): Promise<boolean> {
  if (bus.nc.isClosed()) return false;
  try {
    await bus.jsm.getAccountInfo();
    return true;
  } catch {
    return false;
  }
}

/** `nats://user:pass@host` or `nats://token@host`: the client does not read credentials from URLs itself. */
function credentialsFrom(urls: string): { user?: string; pass?: string; token?: string } {
  const first = new URL(urls.split(",")[0]!.trim());
  if (first.username && first.password) return { user: decodeURIComponent(first.username), pass: decodeURIComponent(first.password) };
  if (first.username) return { token: decodeURIComponent(first.username) };
  return {};
}

function withoutCredentials(url: string): string {
  const u = new URL(url.trim());
  return `${u.protocol}//${u.host}`;
}
