import type { Server } from "node:http";
import { serve } from "@hono/node-server";

export interface Listening {
  url: string;
  close(): Promise<void>;
}

/** Serves a fetch handler; port 0 picks a free port (tests), the URL says which. */
export function listen(
  fetch: (req: Request) => Response | Promise<Response>,
  host: string,
  port: number,
): Promise<Listening> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch, hostname: host, port }, (info) => {
      resolve({
        url: `http://${host.includes(":") ? `[${host}]` : host}:${info.port}`,
        close: () => new Promise<void>((r) => (server as Server).close(() => r())),
      });
    });
    (server as Server).once("error", reject);
    (server as Server).keepAliveTimeout = 65_000;
  });
}
