import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { beforeAll, describe, expect, it } from "vitest";

const appDir = fileURLToPath(new URL("..", import.meta.url));
const dist = join(appDir, "dist");
/** The budget for what the browser must fetch before the first screen: the entry and what it preloads. */
const initialBudgetBytes = 300 * 1024;

/** The scripts index.html loads at once: the entry module and every module it preloads (lazy pages are not). */
function initialScripts(html: string): string[] {
  const urls = [
    ...html.matchAll(/<script[^>]+type="module"[^>]+src="([^"]+)"/g),
    ...html.matchAll(/<link[^>]+rel="modulepreload"[^>]+href="([^"]+)"/g),
  ].map((m) => m[1]!);
  return [...new Set(urls)].map((url) => join(dist, url.replace(/^\/app\//, "")));
}

describe("the admin app's first load", () => {
  beforeAll(() => {
    if (existsSync(join(dist, "index.html"))) return;
    const built = spawnSync("pnpm", ["--silent", "build"], { cwd: appDir, stdio: "inherit" });
    expect(built.status, "vite build of the admin app").toBe(0);
  }, 120_000);

  it("stays under 300 kB of gzipped JavaScript, with every page loaded only when visited", () => {
    const html = readFileSync(join(dist, "index.html"), "utf8");
    const scripts = initialScripts(html);
    expect(scripts.length).toBeGreaterThan(0);
    const sizes = scripts.map((file) => ({ file, gzip: gzipSync(readFileSync(file)).length }));
    const total = sizes.reduce((sum, s) => sum + s.gzip, 0);
    console.info(`admin initial JavaScript: ${(total / 1024).toFixed(1)} kB gzipped in ${sizes.length} file(s)`);
    expect(total).toBeLessThan(initialBudgetBytes);
    // The pages are separate chunks: if one were pulled into the entry, the budget would soon be spent.
    const pageChunks = readFileSync(join(dist, "index.html"), "utf8").match(/page-[\w-]+\.js/g) ?? [];
    expect(pageChunks, "page chunks preloaded by index.html").toEqual([]);
  });
});
