import { trpcServer } from "@hono/trpc-server";
import { appRouter } from "@regulars/api";
import type { Db } from "@regulars/db";
import { newId } from "@regulars/ids";
import type { Logger } from "@regulars/logger";
import type { CredentialCache } from "@regulars/tenancy";
import { Hono } from "hono";
import { cors } from "hono/cors";
import type { Registry } from "prom-client";
import { type ReadinessChecks, registerHealthRoutes } from "@regulars/health";

export interface ApiDeps {
  db: Db;
  credentials: CredentialCache;
  log: Logger;
  registry: Registry;
  readiness: ReadinessChecks;
  /** Origins of the admin and kiosk web apps. */
  corsOrigins?: string[];
}

/** tRPC at /trpc for the admin and kiosk apps; the tenant comes from the bearer key on each call. */
export function createApiApp(deps: ApiDeps) {
  const app = new Hono();
  app.use("/trpc/*", cors({ origin: deps.corsOrigins ?? ["http://localhost:5173", "http://localhost:5174"], allowHeaders: ["authorization", "content-type"] }));
  app.use(
    "/trpc/*",
    trpcServer({
      router: appRouter,
      endpoint: "/trpc",
      createContext: async (_opts, c) => {
        const requestId = c.req.header("x-request-id")?.slice(0, 64) || newId("request");
        const match = /^Bearer\s+(\S+)$/i.exec(c.req.header("authorization") ?? "");
        return { db: deps.db, credential: match ? await deps.credentials.resolve(match[1]!) : null, requestId };
      },
      onError: ({ error, path }) => {
        if (error.code === "INTERNAL_SERVER_ERROR") deps.log.error({ err: error, path }, "procedure failed");
      },
    }),
  );
  registerHealthRoutes(app, deps.readiness, deps.registry);
  return app;
}
