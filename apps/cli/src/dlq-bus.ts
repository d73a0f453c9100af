import { readFile } from "node:fs/promises";
import { type Bus, connectBus } from "@regulars/bus";
import { findRunningNats, resolveDataDir } from "@regulars/embedded";
import { z } from "zod";

const BusEnv = z.object({
  NATS_URL: z.preprocess(
    (v) => (v === "" ? undefined : v),
    z
      .string()
      .regex(/^(nats|tls):\/\//, "must be a nats:// or tls:// URL")
      .optional(),
  ),
  REGULARS_NAMESPACE: z.preprocess(
    (v) => (v === "" ? undefined : v),
    z
      .string()
      .regex(/^[a-z][a-z0-9_]{0,30}$/)
      .optional(),
  ),
  REGULARS_DATA_DIR: z.string().optional(),
});

/** What the running server wrote to `<data dir>/server.json`: only the fields read here. */
const ServerRecord = z.object({ pid: z.number().int(), natsUrl: z.string(), namespace: z.string() });

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
};

/**
 * Where the system's NATS is, in one place: NATS_URL when set; else the running server's
 * `server.json` (its credentials are masked there, so a URL with credentials must come from NATS_URL);
 * else the embedded nats-server recorded in the data folder. The namespace comes from
 * REGULARS_NAMESPACE, else from `server.json`, else the default.
 */
export async function locateBus(env: NodeJS.ProcessEnv): Promise<{ url: string; namespace: string }> {
  const config = BusEnv.parse(env);
  const dataDir = resolveDataDir({ override: config.REGULARS_DATA_DIR });
  const text = await readFile(`${dataDir}/server.json`, "utf8").catch(() => null);
  const parsed = text ? ServerRecord.safeParse(JSON.parse(text)) : null;
  const server = parsed?.success && alive(parsed.data.pid) ? parsed.data : null;
  const namespace = config.REGULARS_NAMESPACE ?? server?.namespace ?? "regulars";
  if (config.NATS_URL) return { url: config.NATS_URL, namespace };
  if (server && !server.natsUrl.includes("***")) return { url: server.natsUrl, namespace };
  const embedded = await findRunningNats(dataDir);
  if (embedded) return { url: embedded.url, namespace };
  throw new Error(
    server
      ? `the running server's NATS URL carries credentials (masked in ${dataDir}/server.json): set NATS_URL`
      : `no running system found in ${dataDir}: set NATS_URL (and REGULARS_NAMESPACE), or start the system`,
  );
}

export async function openBus(env: NodeJS.ProcessEnv): Promise<Bus> {
  const { url, namespace } = await locateBus(env);
  const bus = await connectBus({ url, namespace, name: "regulars-cli" });
  const stream = bus.topology.streams.deadLetter;
  const exists = await bus.jsm.streams.info(stream).then(
    () => true,
    () => false,
  );
  if (!exists) {
    await bus.close();
    throw new Error(`no dead-letter stream ${stream} on ${url}: is REGULARS_NAMESPACE "${namespace}" right?`);
  }
  return bus;
}
