/**
 * The HTTP ceiling reference of `pnpm bench:ingest`: the gateway's server stack (Hono on @hono/node-server,
 * the same keep-alive setting) with a trivial route that reads the JSON body and answers 202, and nothing
 * else: no auth, validation or publish. Run as its own process, like the gateway; prints `{"port":n}`.
 */
import type { Server } from "node:http";
import { serve } from "@hono/node-server";
import { Hono } from "hono";

const app = new Hono();
app.post("*", async (c) => {
  const body = (await c.req.json()) as { externalId?: unknown };
  return c.json({ id: "tx_ceiling", externalId: body.externalId, status: "accepted", duplicate: false }, 202);
});

const server = serve({ fetch: app.fetch, hostname: "127.0.0.1", port: 0 }, (info) => {
  process.stdout.write(`${JSON.stringify({ port: info.port })}\n`);
});
(server as Server).keepAliveTimeout = 65_000;
const stop = () => {
  (server as Server).close(() => process.exit(0));
  (server as Server).closeAllConnections();
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
