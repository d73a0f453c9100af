import { probePort } from "../port-probe.ts";

export type NatsProbe =
  | { state: "free" }
  | { state: "other" }
  | { state: "nats"; serverId?: string; jetstream: boolean };

/** What answers on 127.0.0.1:port: nothing, a NATS server (it greets with `INFO {json}`), or something else. */
export async function probeNats(port: number, readLineMs = 1000): Promise<NatsProbe> {
  const probe = await probePort(port, { readLineMs });
  if (!probe.open) return { state: "free" };
  if (!probe.firstLine?.startsWith("INFO ")) return { state: "other" };
  const info = parseInfo(probe.firstLine.slice("INFO ".length));
  return { state: "nats", serverId: info.server_id, jetstream: info.jetstream === true };
}

function parseInfo(json: string): { server_id?: string; jetstream?: boolean } {
  try {
    const info: unknown = JSON.parse(json);
    if (typeof info !== "object" || info === null) return {};
    const { server_id, jetstream } = info as Record<string, unknown>;
    return {
      server_id: typeof server_id === "string" ? server_id : undefined,
      jetstream: typeof jetstream === "boolean" ? jetstream : undefined,
    };
  } catch {
    return {};
  }
}
