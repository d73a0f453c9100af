import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import type { Env, Hono } from "hono";

// swagger-ui-dist ships no type declarations; this is the one function we use.
const { getAbsoluteFSPath } = createRequire(import.meta.url)("swagger-ui-dist") as { getAbsoluteFSPath(): string };

const assets: Record<string, string> = {
  "swagger-ui.css": "text/css",
  "swagger-ui-bundle.js": "application/javascript",
};

/** A readable API reference served from our own node_modules, so it works without internet access. */
export function registerDocsRoutes<E extends Env>(app: Hono<E>, specPath: string) {
  const dir = getAbsoluteFSPath();
  app.get("/v1/docs/assets/:file", async (c) => {
    const file = c.req.param("file");
    const type = assets[file];
    if (!type) return c.notFound();
    return c.body(new Uint8Array(await readFile(`${dir}/${file}`)), 200, {
      "content-type": type,
      "cache-control": "public, max-age=86400",
    });
  });
  app.get("/v1/docs", (c) =>
    c.html(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Regulars ingestion API</title>
<link rel="stylesheet" href="/v1/docs/assets/swagger-ui.css"></head>
<body><div id="docs"></div>
<script src="/v1/docs/assets/swagger-ui-bundle.js"></script>
<script>SwaggerUIBundle({ url: "${specPath}", dom_id: "#docs", deepLinking: true });</script>
</body></html>`),
  );
  app.get("/", (c) => c.redirect("/v1/docs"));
}
