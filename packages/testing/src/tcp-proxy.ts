import { connect, createServer, type Server, type Socket } from "node:net";

/**
 * A TCP proxy between the system under test and a real service, so an outage looks exactly like one:
 * `refuse()` closes the listening port (new connections get ECONNREFUSED) and resets every open
 * connection (ECONNRESET mid-query); `cut()` only resets the open connections; `restore()` listens
 * again on the same port. Nothing about the service itself is faked.
 */
export interface TcpProxy {
  /** `host:port` of the proxy. */
  readonly address: string;
  readonly port: number;
  /** Rewrites a service URL (postgres://, nats://, http://) to go through the proxy. */
  url(serviceUrl: string): string;
  refuse(): Promise<void>;
  cut(): void;
  restore(): Promise<void>;
  /** Connections accepted so far: proof that traffic really went through the proxy. */
  readonly accepted: number;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const open = new Set<Socket>();
  let accepted = 0;
  let server: Server | null = null;
  let port = 0;

  const reset = (socket: Socket) => {
    // A reset (RST), not a polite FIN: the client sees "connection reset", as when a host dies.
    if (!socket.destroyed) socket.resetAndDestroy();
  };
  const handle = (client: Socket) => {
    accepted++;
    const upstream = connect(target.port, target.host);
    open.add(client);
    open.add(upstream);
    const drop = () => {
      reset(client);
      reset(upstream);
      open.delete(client);
      open.delete(upstream);
    };
    client.on("error", drop).on("close", drop);
    upstream.on("error", drop).on("close", drop);
    client.pipe(upstream);
    upstream.pipe(client);
  };
  const listen = () =>
    new Promise<void>((resolve, reject) => {
      const s = createServer(handle);
      s.once("error", reject);
      s.listen(port, "127.0.0.1", () => {
        port = (s.address() as { port: number }).port;
        server = s;
        resolve();
      });
    });
  const stopListening = () =>
    new Promise<void>((resolve) => {
      const s = server;
      server = null;
      if (!s) return resolve();
      s.close(() => resolve());
    });
  const cut = () => {
    for (const socket of [...open]) reset(socket);
    open.clear();
  };

  await listen();
  return {
    get address() {
      return `127.0.0.1:${port}`;
    },
    get port() {
      return port;
    },
    get accepted() {
      return accepted;
    },
    url(serviceUrl) {
      const u = new URL(serviceUrl);
      u.hostname = "127.0.0.1";
      u.port = String(port);
      return u.toString().replace(/\/$/, serviceUrl.endsWith("/") ? "/" : "");
    },
    async refuse() {
      const closed = stopListening();
      cut();
      await closed;
    },
    cut,
    async restore() {
      if (!server) await listen();
    },
    async close() {
      const closed = stopListening();
      cut();
      await closed;
    },
  };
}
