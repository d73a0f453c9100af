import net from "node:net";

export type PortProbe = { open: false } | { open: true; firstLine?: string };

/**
 * Connects to host:port. With readLineMs > 0 it also waits that long for the first line the server sends
 * unprompted: NATS greets every client with `INFO {...}`, Postgres and most others stay silent.
 */
export function probePort(
  port: number,
  opts: { host?: string; readLineMs?: number; connectTimeoutMs?: number } = {},
): Promise<PortProbe> {
  const { host = "127.0.0.1", readLineMs = 0, connectTimeoutMs = 1000 } = opts;
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    let connected = false;
    let received = "";
    const finish = (result: PortProbe) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const finishAsIs = () => finish(connected ? { open: true } : { open: false });
    let timer = setTimeout(finishAsIs, connectTimeoutMs);

    socket.once("connect", () => {
      connected = true;
      if (readLineMs === 0) return finish({ open: true });
      clearTimeout(timer);
      timer = setTimeout(finishAsIs, readLineMs);
    });
    socket.on("data", (chunk) => {
      received += chunk.toString("utf8");
      const end = received.indexOf("\n");
      if (end >= 0) finish({ open: true, firstLine: received.slice(0, end).trimEnd() });
    });
    socket.once("error", finishAsIs);
    socket.once("close", finishAsIs);
  });
}
