import type { Server } from "node:http";
import { serve } from "@hono/node-server";

export interface Listening {
  url: string;
  close(): Promise<void>;
}

/**
 * Serves a fetch handler; port 0 picks a free port (tests), the URL says which. `setting` names the variable the port
 * came from, so a port already taken is refused in words an operator can act on.
 */
export function listen(
  fetch: (req: Request) => Response | Promise<Response>,
  host: string,
  port: number,
  setting?: string,
): Promise<Listening> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch, hostname: host, port }, (info) => {
      resolve({
        url: `http://${host.includes(":") ? `[${host}]` : host}:${info.port}`,
        close: () => new Promise<void>((r) => (server as Server).close(() => r())),
      });
    });
    (server as Server).once("error", (e: NodeJS.ErrnoException) =>
      reject(
        e.code === "EADDRINUSE"
          ? new Error(
              `port ${port} on ${host} is already in use${setting ? `: stop what holds it, or set ${setting} to a free port` : ""}`,
              { cause: e },
            )
          : e,
      ),
    );
    (server as Server).keepAliveTimeout = 65_000;
  });
}
