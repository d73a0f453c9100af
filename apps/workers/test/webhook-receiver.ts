import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
}

/** What the receiver does with a request: answer with a status, or never answer (a hung receiver). */
export type Behaviour = (request: Received, n: number) => number | "hang";

/**
 * A real HTTP receiver on a local port, standing in for a tenant's platform: records every request and
 * answers as `behaviour` says. `down()` closes the port (connections refused) and `up()` opens it again.
 */
export async function startReceiver(behaviour: Behaviour = () => 204) {
  const received: Received[] = [];
  const hung = new Set<ServerResponse>();
  let current = behaviour;
  let server: Server;
  let port = 0;
  const listen = () =>
    new Promise<void>((resolve) => {
      server = createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on("data", (c: Buffer) => chunks.push(c));
        req.on("end", () => {
          const request = { headers: req.headers, body: Buffer.concat(chunks).toString("utf8"), at: Date.now() };
          received.push(request);
          const answer = current(request, received.length);
          if (answer === "hang") hung.add(res);
          else res.writeHead(answer).end();
        });
      });
      server.listen(port, "127.0.0.1", () => {
        port = (server.address() as AddressInfo).port;
        resolve();
      });
    });
  await listen();
  const close = () =>
    new Promise<void>((resolve) => {
      for (const res of hung) res.destroy();
      hung.clear();
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    received,
    behave(next: Behaviour) {
      current = next;
    },
    down: close,
    up: listen,
    close,
  };
}
export type Receiver = Awaited<ReturnType<typeof startReceiver>>;
