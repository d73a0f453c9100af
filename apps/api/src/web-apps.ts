import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { serveStatic } from "@hono/node-server/serve-static";
import type { Hono } from "hono";
import type { ApiEnv } from "./http-guards.ts";

/** The built admin and kiosk apps (`pnpm build:web`), and where the kiosk posts its sales. */
export interface WebApps {
  /** Folder with the admin app's index.html and assets/; served at /app/. */
  adminDir?: string | null;
  /** Folder with the kiosk app's build; served at /kiosk/. */
  kioskDir?: string | null;
  /** The ingestion gateway's public URL; by default this host on `gatewayPort`. */
  gatewayUrl?: string | null;
  gatewayPort?: number;
}

/**
 * The apps are served by the API itself, so they share its origin: the session cookie can be
 * SameSite=Strict and the apps need no CORS to call /trpc and /auth. Hashed assets are cached for a
 * year; index.html never, so a new build is picked up on the next load.
 */
export function registerWebApps(app: Hono<ApiEnv>, web: WebApps): void {
  const gatewayOf = (requestUrl: string) => {
    if (web.gatewayUrl) return web.gatewayUrl;
    const url = new URL(requestUrl);
    url.port = String(web.gatewayPort ?? 4000);
    return url.origin;
  };
  // Before the kiosk's routes: its catch-all would answer this path with index.html.
  app.get("/kiosk/config.json", (c) => c.json({ gatewayUrl: gatewayOf(c.req.url) }));
  serveApp(app, "app", "admin", web.adminDir, gatewayOf);
  serveApp(app, "kiosk", "kiosk", web.kioskDir, gatewayOf);
  app.get("/", (c) => c.redirect("/app/"));
}

function serveApp(
  app: Hono<ApiEnv>,
  prefix: string,
  name: string,
  dir: string | null | undefined,
  gatewayOf: (requestUrl: string) => string,
): void {
  const index = dir ? join(dir, "index.html") : null;
  if (!dir || !index || !existsSync(index)) {
    app.get(`/${prefix}/*`, (c) =>
      c.json(
        {
          code: "unavailable",
          message: `the ${name} app is not built here: run \`pnpm build:web\` and restart`,
          requestId: c.get("requestId") ?? "",
        },
        503,
      ),
    );
    return;
  }
  // Read again at each load: a rebuild deletes the hashed assets an index.html read at start would still name.
  let html = readFileSync(index, "utf8");
  const currentHtml = () => {
    try {
      html = readFileSync(index, "utf8");
    } catch {
      // Mid-rebuild the file may be missing for a moment: the last one read is served meanwhile.
    }
    return html;
  };
  app.get(`/${prefix}`, (c) => c.redirect(`/${prefix}/`));
  app.use(
    `/${prefix}/assets/*`,
    serveStatic({
      root: dir,
      rewriteRequestPath: (path) => path.slice(prefix.length + 1),
      onFound: (_path, c) => {
        c.header("cache-control", "public, max-age=31536000, immutable");
      },
    }),
  );
  // Every other path under the prefix is a route of the app: the app's router reads it.
  app.get(`/${prefix}/*`, (c) => {
    if (c.req.path.startsWith(`/${prefix}/assets/`)) return c.notFound();
    c.header("cache-control", "no-store");
    c.header("x-content-type-options", "nosniff");
    c.header("referrer-policy", "same-origin");
    c.header(
      "content-security-policy",
      [
        "default-src 'self'",
        `connect-src 'self' ${gatewayOf(c.req.url)}`,
        "img-src 'self' data: blob:",
        "media-src 'self' blob:",
        // Radix positions popovers with inline styles.
        "style-src 'self' 'unsafe-inline'",
        "frame-ancestors 'none'",
        "base-uri 'self'",
        "form-action 'self'",
      ].join("; "),
    );
    return c.html(currentHtml());
  });
}
