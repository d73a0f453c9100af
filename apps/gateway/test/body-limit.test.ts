import { request } from "node:http";
import { serve } from "@hono/node-server";
import { DomainError } from "@regulars/errors";
import { Hono } from "hono";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { limitBody } from "../src/body-limit.ts";
import type { GatewayEnv } from "../src/context.ts";

/** The limit over real HTTP, as the gateway is served: declared lengths and chunked uploads alike. */
const app = new Hono<GatewayEnv>();
app.use("*", limitBody(1_000));
app.post("/", async (c) => c.json({ length: (await c.req.text()).length }));
app.onError((e, c) => c.json({ code: e instanceof DomainError ? e.code : "internal" }, 413));

let server: ReturnType<typeof serve>;
let port: number;
beforeAll(
  () =>
    new Promise<void>((resolve) => {
      server = serve({ fetch: app.fetch, hostname: "127.0.0.1", port: 0 }, (info) => {
        port = info.port;
        resolve();
      });
    }),
);
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** Sends `chunks` in order; with `chunked` no Content-Length is declared. */
function post(chunks: string[], chunked: boolean): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const length = chunks.reduce((n, c) => n + Buffer.byteLength(c), 0);
    const req = request(
      {
        host: "127.0.0.1",
        port,
        method: "POST",
        path: "/",
        headers: chunked ? { "transfer-encoding": "chunked" } : { "content-length": String(length) },
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8").on("data", (d) => (text += d));
        res.on("end", () => resolve({ status: res.statusCode!, body: JSON.parse(text) }));
      },
    );
    req.on("error", reject);
    for (const chunk of chunks) req.write(chunk);
    req.end();
  });
}

describe("the body limit", () => {
  it("passes bodies within the limit, declared or chunked, to the handler whole", async () => {
    expect(await post(["x".repeat(1_000)], false)).toEqual({ status: 200, body: { length: 1_000 } });
    expect(await post(["x".repeat(600), "y".repeat(400)], true)).toEqual({ status: 200, body: { length: 1_000 } });
  });

  it("refuses a declared length over the limit, and a chunked upload once it passes the limit", async () => {
    expect(await post(["x".repeat(1_001)], false)).toEqual({ status: 413, body: { code: "payload_too_large" } });
    expect(await post(["x".repeat(600), "y".repeat(401)], true)).toEqual({
      status: 413,
      body: { code: "payload_too_large" },
    });
  });
});
